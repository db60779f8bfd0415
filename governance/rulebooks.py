"""Writes and reads of the rules' versions (policy and questionnaire): a risk officer or admin
proposes one, a second risk officer signs it into force from an effective date (the password
re-checked as for every signature), or it is withdrawn; and which version is in force at a time.

A policy's content is the battery's Policy JSON, which governance cannot read: the audits app
registers the check that validates it (register_policy_check), as it registers its evidence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from governance.errors import Conflict, InvalidInput
from governance.models import (
    RULE_TRANSITIONS,
    EventVerb,
    PolicyVersion,
    QuestionnaireVersion,
    RuleStatus,
    SignatureMeaning,
    User,
)
from governance.models.rulebooks import RuleVersion, content_digest
from governance.permissions import require_approve_rules, require_propose_rules
from governance.risk import Questionnaire
from governance.signatures import signature_check
from governance.trail import event_record, snapshot

TIERS = ("1", "2", "3")
FIELDS = ["name", "version", "status", "content_sha256", "effective_from", "signed_sha256"]
VERBS: dict[type[RuleVersion], dict[str, EventVerb]] = {
    PolicyVersion: {
        RuleStatus.PROPOSED: EventVerb.POLICY_PROPOSED,
        RuleStatus.APPROVED: EventVerb.POLICY_APPROVED,
        RuleStatus.WITHDRAWN: EventVerb.POLICY_WITHDRAWN,
    },
    QuestionnaireVersion: {
        RuleStatus.PROPOSED: EventVerb.QUESTIONNAIRE_PROPOSED,
        RuleStatus.APPROVED: EventVerb.QUESTIONNAIRE_APPROVED,
        RuleStatus.WITHDRAWN: EventVerb.QUESTIONNAIRE_WITHDRAWN,
    },
}
PolicyCheck = Callable[[Any], None]
_policy_checks: list[PolicyCheck] = []


def register_policy_check(check: PolicyCheck) -> None:
    """Called once by the audits app: ``check(content)`` raises InvalidInput naming the field
    when the content is not a policy the battery can judge with."""
    _policy_checks[:] = [check]


def review_months_clean(value: Any) -> dict[str, int]:
    """The revalidation period per tier, {"1": months, "2": ..., "3": ...}, or InvalidInput."""
    if not isinstance(value, dict) or set(value) != set(TIERS):
        raise InvalidInput("give the months for tiers 1, 2 and 3", field="review_months")
    for tier, months in value.items():
        if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120:
            raise InvalidInput("months are a whole number from 1 to 120",
                               field=f"review_months.{tier}")  # fmt: skip
    return {tier: value[tier] for tier in TIERS}


def policy_version_propose(
    *, actor: User, content: Any, review_months: Any, note: str = ""
) -> PolicyVersion:
    """Propose a policy version; it does nothing until a second risk officer approves it."""
    require_propose_rules(actor)
    if not _policy_checks:
        raise Conflict("the audits app has not registered the policy check")
    _policy_checks[0](content)
    months = review_months_clean(review_months)
    record = _propose(actor, PolicyVersion, content, note, review_months=months)
    assert isinstance(record, PolicyVersion)
    return record


def questionnaire_version_propose(
    *, actor: User, content: Any, note: str = ""
) -> QuestionnaireVersion:
    """Propose a questionnaire version; it does nothing until a second risk officer approves."""
    require_propose_rules(actor)
    try:
        Questionnaire.from_json(content)
    except InvalidInput as error:  # named inside the content, as a policy's faults are
        field = "content" if error.field == "content" else f"content.{error.field}"
        raise InvalidInput(error.message, field=field) from None
    record = _propose(actor, QuestionnaireVersion, content, note)
    assert isinstance(record, QuestionnaireVersion)
    return record


def _propose(
    actor: User, kind: type[RuleVersion], content: dict, note: str, **extra: Any
) -> RuleVersion:
    with transaction.atomic():
        if kind._default_manager.filter(name=content["name"], version=content["version"]).exists():
            raise Conflict(f"{content['name']} {content['version']} exists already; "
                           "give the proposal a new version", field="version")  # fmt: skip
        record = kind._default_manager.create(
            name=content["name"],
            version=content["version"],
            content=content,
            content_sha256=content_digest(content, extra.get("review_months")),
            note=note.strip(),
            proposed_by=actor,
            proposed_at=timezone.now(),
            **extra,
        )
        event_record(
            actor=actor,
            verb=VERBS[kind][RuleStatus.PROPOSED],
            target=record,
            after=snapshot(record, FIELDS),
            note=record.note,
        )
    return record


def rule_version_approve(
    *,
    actor: User,
    record: RuleVersion,
    password: str,
    meaning: str,
    effective_from: datetime | None = None,
) -> RuleVersion:
    """A second risk officer signs the proposed version into force from ``effective_from``
    (default now, never in the past); the signature is bound to the content's sha256."""
    require_approve_rules(actor, record.proposed_by_id)
    if meaning not in SignatureMeaning.values:
        raise InvalidInput("choose what the signature means", field="meaning")
    now = timezone.now()
    if effective_from is not None and effective_from < now:
        raise InvalidInput("a version cannot take effect in the past", field="effective_from")
    signature_check(actor=actor, password=password, target=record)
    with transaction.atomic():
        record = _locked(record)
        before = _move(record, RuleStatus.APPROVED)
        if content_digest(record.content, getattr(record, "review_months", None)) != (
            record.content_sha256
        ):
            raise Conflict("the version's content no longer matches its sha256")
        record.effective_from = effective_from or now
        record.approved_by = actor
        record.signer_printed_name, record.signer_username = actor.printed_name, actor.username
        record.signed_at, record.meaning = now, meaning
        record.signed_sha256 = record.content_sha256
        record.save()
        event_record(
            actor=actor,
            verb=VERBS[type(record)][RuleStatus.APPROVED],
            target=record,
            before=before,
            after={**snapshot(record, FIELDS), "manifestation": record.manifestation},
        )
    return record


def rule_version_withdraw(*, actor: User, record: RuleVersion, reason: str) -> RuleVersion:
    """A proposal that will not be approved is withdrawn, with a reason; it never took effect."""
    require_propose_rules(actor)
    if not reason.strip():
        raise InvalidInput("say why the proposal is withdrawn", field="reason")
    with transaction.atomic():
        record = _locked(record)
        before = _move(record, RuleStatus.WITHDRAWN)
        record.save()
        event_record(
            actor=actor,
            verb=VERBS[type(record)][RuleStatus.WITHDRAWN],
            target=record,
            before=before,
            after=snapshot(record, FIELDS),
            note=reason.strip(),
        )
    return record


def _locked(record: RuleVersion) -> RuleVersion:
    return type(record)._default_manager.select_for_update().get(pk=record.pk)


def _move(record: RuleVersion, to: str) -> dict[str, Any]:
    """Check the TRANSITIONS table, set the status, and return the snapshot from before."""
    if to not in RULE_TRANSITIONS[record.status]:
        raise Conflict(f"{record} is {record.status} and cannot become {to}", field="status")
    before = snapshot(record, FIELDS)
    record.status = to
    return before

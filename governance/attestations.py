"""Periodic attestation: the model's owner signs (password re-entered, meaning "attestation")
that the model is used as approved with no material change, every WARDEN_ATTESTATION_MONTHS
by tier. The clock runs from the latest attestation or approving decision, whichever is later,
and is kept on the model as each is signed; what the gate does about an overdue one is
WARDEN_ATTESTATION_OVERDUE."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from digests import canonical_json
from governance.errors import Conflict
from governance.lifecycle import add_months
from governance.models import (
    APPROVING_DECISIONS,
    Approval,
    Attestation,
    EventVerb,
    MLModel,
    ModelVersion,
    SignatureMeaning,
    User,
)
from governance.models.registry import live_versions_filter
from governance.permissions import require_attest
from governance.signatures import signature_check
from governance.trail import event_record

DEFAULT_STATEMENT = (
    "I attest that this model is used as approved, for its stated purpose, and that it has "
    "not changed materially since its approval."
)


def attestation_digest(statement: str, versions: list[dict[str, str]]) -> str:
    """sha256 of exactly what an attestation signs: the statement and the versions it covers."""
    content = canonical_json({"statement": statement, "versions": versions})
    return hashlib.sha256(content.encode()).hexdigest()


def attestation_sign(
    *,
    actor: User,
    model: MLModel,
    password: str = "",
    statement: str = "",
    reauthentication: int | None = None,
) -> Attestation:
    """The owner signs an attestation covering the model's live versions (a single sign-on
    owner with a verified step-up, `reauthentication`, instead of a password)."""
    require_attest(actor, model)
    statement = statement.strip() or DEFAULT_STATEMENT
    authentication = signature_check(
        actor=actor, password=password, target=model, reauthentication=reauthentication
    )
    with transaction.atomic():
        model = MLModel.objects.select_for_update().get(pk=model.pk)
        live = model.versions.filter(live_versions_filter()).order_by("version")
        versions = [
            {"version": v.version, "artifact_sha256": v.artifact_sha256, "status": v.status}
            for v in live
        ]
        if not versions:
            raise Conflict(f"{model} has no approved version in use: there is nothing to attest")
        attestation = Attestation.objects.create(
            model=model,
            statement=statement,
            versions=versions,
            meaning=SignatureMeaning.ATTESTATION,
            signer=actor,
            signer_printed_name=actor.printed_name,
            signer_username=actor.username,
            signed_at=timezone.now(),
            authentication=authentication,
            signed_sha256=attestation_digest(statement, versions),
        )
        attestation_clock_restart(model.pk, attestation.signed_at)
        event_record(
            actor=actor,
            verb=EventVerb.ATTESTATION_SIGNED,
            target=model,
            after={
                "attestation": attestation.pk,
                "versions": versions,
                "signed_sha256": attestation.signed_sha256,
                "manifestation": attestation.manifestation,
            },
            note=statement,
        )
    return attestation


def attestation_due_at(tier: int | None, clock_at: datetime | None) -> datetime | None:
    """When the next attestation is due: the cadence of the tier (an unassessed model as tier 1)
    after the clock last restarted (MLModel.attestation_clock_at); None if it never started."""
    if clock_at is None:
        return None
    return add_months(clock_at, settings.WARDEN_ATTESTATION_MONTHS[tier or 1])


def attestation_clock_restart(model_id: int, at: datetime) -> None:
    """Restart the model's attestation clock at `at`, when an approving decision or an
    attestation is signed then, unless it already runs from later."""
    MLModel.objects.filter(
        Q(attestation_clock_at__isnull=True) | Q(attestation_clock_at__lt=at), pk=model_id
    ).update(attestation_clock_at=at)


def attestation_clocks_reset(models: QuerySet[MLModel]) -> None:
    """Set each of `models`' attestation clock from its signatures (its latest approving
    decision or attestation, whichever is later): for a portfolio written in bulk, which
    bypasses attestation_clock_restart."""
    approved, attested = _latest_signature(OuterRef("pk"))
    approved_again, attested_again = _latest_signature(OuterRef("pk"))
    models.update(
        attestation_clock_at=Greatest(
            Coalesce(approved, attested), Coalesce(attested_again, approved_again)
        )
    )


def _latest_signature(model_ref: OuterRef) -> tuple[Subquery, Subquery]:
    """The latest approving decision and the latest attestation of the model `model_ref`
    names, as subqueries."""
    approvals = Approval.objects.filter(
        version__model=model_ref, decision__in=APPROVING_DECISIONS
    ).values("version__model")
    attestations = Attestation.objects.filter(model=model_ref).values("model")
    return (
        Subquery(approvals.annotate(at=Max("signed_at")).values("at")),
        Subquery(attestations.annotate(at=Max("signed_at")).values("at")),
    )


@dataclass(frozen=True)
class AttestationDue:
    """A model in use, when its attestation is due, and whether that has passed."""

    model: MLModel
    due_at: datetime
    overdue: bool


# A month's end can bring a due date up to three days earlier than the same day a cadence
# later would be (31 January + 1 month is 28 February).
MONTH_END_SLACK = timedelta(days=3)


def attestations_due(
    *, now: datetime | None = None, model: MLModel | None = None, by: datetime | None = None
) -> list[AttestationDue]:
    """Every model (or just `model`) with a version in use and when its attestation is due,
    soonest first; with `by`, only those due by then, which the query narrows to the models
    whose clock started a cadence (less MONTH_END_SLACK) before `by`, on the index of tier
    and clock, so the risk officer's home reads the few that are due, not the portfolio."""
    now = now or timezone.now()
    in_use = MLModel.objects.filter(
        pk__in=ModelVersion.objects.filter(live_versions_filter()).values("model"),
        attestation_clock_at__isnull=False,
    ).select_related("owner")
    if model is not None:
        in_use = in_use.filter(pk=model.pk)
    if by is not None:
        in_use = in_use.filter(_clock_started_for(by))
    rows = []
    for candidate in in_use:
        due_at = attestation_due_at(candidate.risk_tier, candidate.attestation_clock_at)
        if due_at is not None and (by is None or due_at <= by):
            rows.append(AttestationDue(model=candidate, due_at=due_at, overdue=due_at <= now))
    return sorted(rows, key=lambda row: (row.due_at, row.model.pk))


def _clock_started_for(by: datetime) -> Q:
    """Models whose clock started early enough that their attestation may be due by `by`."""
    started = Q()
    for tier, months in settings.WARDEN_ATTESTATION_MONTHS.items():
        tiers = (Q(risk_tier=tier) | Q(risk_tier__isnull=True)) if tier == 1 else Q(risk_tier=tier)
        started |= tiers & Q(attestation_clock_at__lte=add_months(by, -months) + MONTH_END_SLACK)
    return started


def attestations_overdue(*, now: datetime | None = None) -> list[AttestationDue]:
    """The models whose attestation is overdue (the risk officer's home, the compliance report)."""
    now = now or timezone.now()
    return attestations_due(now=now, by=now)

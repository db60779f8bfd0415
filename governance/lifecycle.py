"""The version lifecycle (DESIGN §4): one guarded move over the TRANSITIONS table, the services
that use it (submit, including resubmission for revalidation, reopen, suspend, retire, deploy),
approval expiry and its reminders."""

import calendar
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from governance.errors import Conflict, InvalidInput
from governance.evidence import latest_audit
from governance.models import Deployment, EventVerb, MLModel, ModelVersion, User, VersionStatus
from governance.models.registry import APPROVED_STATUSES, TRANSITIONS, live_versions_filter
from governance.notifications import notify, risk_officers
from governance.permissions import require_change_model, require_retire, require_suspend
from governance.rulebook_selectors import review_months
from governance.trail import event_record, snapshot

STATUS_FIELDS = [
    "status",
    "submitted_by",
    "submitted_at",
    "approval_expires_at",
    "submitted_audit_run_id",
    "submitted_audit_sha256",
    "submitted_transcripts_sha256",
]


def locked(version: ModelVersion) -> ModelVersion:
    """The version re-read under a row lock, so concurrent moves queue behind each other."""
    return ModelVersion.objects.select_for_update().select_related("model").get(pk=version.pk)


def move(version: ModelVersion, to: str) -> None:
    """Change the status if TRANSITIONS allows it, else Conflict naming both states."""
    if to not in TRANSITIONS[version.status]:
        raise Conflict(f"version {version.version} is {version.status} and cannot become {to}")
    version.status = to


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later (the month's last day when that day is missing)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def approval_expiry(tier: int, approved_at: datetime) -> datetime:
    """When an approval given now lapses: the review months the policy in force gives the tier."""
    return add_months(approved_at, review_months(tier, approved_at))


def version_submit(*, actor: User, version: ModelVersion) -> ModelVersion:
    """An engineer sends a draft for review with its latest completed audit, which must have
    been judged under the model's current tier and must not fail a check the tier requires.
    An approved or deployed version is resubmitted the same way for revalidation, with an audit
    newer than the one last approved; it stays deployable until its approval expires."""
    with transaction.atomic():
        version = locked(version)
        require_change_model(actor, version.model)
        revalidating = version.status in APPROVED_STATUSES
        evidence = latest_audit(version)
        if evidence is None:
            raise Conflict("run an audit of this version before submitting it")
        if revalidating and evidence.run_id == version.submitted_audit_run_id:
            raise Conflict(
                f"audit #{evidence.run_id} was approved already: revalidation needs a new audit"
            )
        if evidence.tier != version.model.risk_tier:
            raise Conflict(
                f"the latest audit was judged under tier {evidence.tier} but the "
                f"model is tier {version.model.risk_tier}; audit it again"
            )
        if not evidence.passes:
            why = "; ".join(evidence.reasons) or f"its verdict is {evidence.verdict}"
            raise Conflict(f"the latest audit (#{evidence.run_id}) does not pass: {why}")
        before = snapshot(version, STATUS_FIELDS)
        move(version, VersionStatus.SUBMITTED)
        version.submitted_by, version.submitted_at = actor, timezone.now()
        version.review_started_at = version.submitted_at
        version.submitted_audit_run_id = evidence.run_id
        version.submitted_audit_sha256 = evidence.result_sha256
        version.submitted_transcripts_sha256 = evidence.transcripts_sha256
        version.save()
        why = "for revalidation" if revalidating else "for review"
        event_record(
            actor=actor,
            verb=EventVerb.VERSION_SUBMITTED,
            target=version,
            before=before,
            after=snapshot(version, STATUS_FIELDS),
            note=f"submitted {why}",
        )
        transaction.on_commit(
            lambda: notify(
                risk_officers(),
                f"{version} awaits review",
                f"{actor.printed_name} submitted {version} (tier {version.model.risk_tier}) "
                f"{why} with audit #{evidence.run_id} ({evidence.verdict}).",
            )
        )
    return version


def version_reopen(*, actor: User, version: ModelVersion) -> ModelVersion:
    """After changes were requested, the team takes the version back to draft."""
    return _simple_move(
        actor=actor,
        version=version,
        to=VersionStatus.DRAFT,
        verb=EventVerb.VERSION_REOPENED,
        reason=None,
        require=require_change_model,
    )


def version_suspend(*, actor: User, version: ModelVersion, reason: str) -> ModelVersion:
    """A risk officer stops a live version; the gate then refuses it."""
    with transaction.atomic():
        version = locked(version)
        require_suspend(actor, version.model)
        if not reason.strip():
            raise InvalidInput("give the reason", field="reason")
        if not version.is_live:
            raise Conflict(f"version {version.version} is {version.status}: nothing to suspend")
        suspend(version, actor=actor, note=reason.strip())
    return version


def suspend(version: ModelVersion, *, actor: User, note: str) -> None:
    """Suspend a live version locked in the caller's transaction, recording the event: the
    gate refuses it, and its re-approval review starts now. Risk officers and critical
    incidents both suspend through here."""
    before = snapshot(version, STATUS_FIELDS)
    move(version, VersionStatus.SUSPENDED)
    version.review_started_at = timezone.now()
    version.save(update_fields=["status", "review_started_at"])
    event_record(
        actor=actor,
        verb=EventVerb.VERSION_SUSPENDED,
        target=version,
        before=before,
        after=snapshot(version, STATUS_FIELDS),
        note=note,
    )


def version_retire(*, actor: User, version: ModelVersion, reason: str) -> ModelVersion:
    """The team or a risk officer takes a version out of use for good."""
    return _simple_move(
        actor=actor,
        version=version,
        to=VersionStatus.RETIRED,
        verb=EventVerb.VERSION_RETIRED,
        reason=reason,
        require=require_retire,
    )


def _simple_move(
    *,
    actor: User,
    version: ModelVersion,
    to: str,
    verb: EventVerb,
    reason: str | None,
    require: Callable[[User, MLModel], None],
) -> ModelVersion:
    """One move that needs no evidence, under its permission rule; `reason` None: none asked."""
    with transaction.atomic():
        version = locked(version)
        require(actor, version.model)
        if reason is not None and not reason.strip():
            raise InvalidInput("give the reason", field="reason")
        before = snapshot(version, STATUS_FIELDS)
        move(version, to)
        version.save(update_fields=["status"])
        event_record(
            actor=actor,
            verb=verb,
            target=version,
            before=before,
            after=snapshot(version, STATUS_FIELDS),
            note=(reason or "").strip(),
        )
    return version


def deployment_record(
    *, actor: User, version: ModelVersion, environment: str, note: str = ""
) -> Deployment:
    """Record a deployment; only an approved, unexpired, unsuspended version may be deployed."""
    from governance.gate import gate_reasons, gate_versions

    with transaction.atomic():
        version = locked(version)
        require_change_model(actor, version.model)
        reasons = gate_reasons(gate_versions().get(pk=version.pk))
        if reasons:
            raise Conflict("this version may not be deployed: " + "; ".join(reasons))
        before = snapshot(version, STATUS_FIELDS)
        if version.status == VersionStatus.APPROVED:  # a revalidating one stays under review
            move(version, VersionStatus.DEPLOYED)
            version.save(update_fields=["status"])
        deployment = Deployment.objects.create(
            version=version, environment=environment, note=note, deployed_by=actor
        )
        event_record(
            actor=actor,
            verb=EventVerb.VERSION_DEPLOYED,
            target=version,
            before=before,
            after={**snapshot(version, STATUS_FIELDS), "environment": environment},
        )
    return deployment


def revalidations(*, now: datetime | None = None) -> dict[str, QuerySet[ModelVersion]]:
    """Live versions whose approval has lapsed ("overdue") or lapses within the notice period
    ("due"), soonest first: queries, so a page can read the first few and count the rest."""
    now = now or timezone.now()
    horizon = now + timedelta(days=settings.WARDEN_REVALIDATION_NOTICE_DAYS)
    live = ModelVersion.objects.filter(live_versions_filter(), approval_expires_at__lte=horizon)
    live = live.select_related("model__owner").order_by("approval_expires_at", "id")
    return {
        "overdue": live.filter(approval_expires_at__lte=now),
        "due": live.filter(approval_expires_at__gt=now),
    }


def revalidations_due() -> list[int]:
    """Ids of live versions within the notice period whose owner has not been reminded yet."""
    horizon = timezone.now() + timedelta(days=settings.WARDEN_REVALIDATION_NOTICE_DAYS)
    return list(
        ModelVersion.objects.filter(
            live_versions_filter(),
            approval_expires_at__lte=horizon,
            revalidation_reminded_at__isnull=True,
        ).values_list("pk", flat=True)
    )


def revalidation_remind(*, version_id: int) -> bool:
    """E-mail the model's owner that the approval expires, once per approval."""
    with transaction.atomic():
        version = (
            ModelVersion.objects.select_for_update()
            .select_related("model__owner")
            .get(pk=version_id)
        )
        if version.revalidation_reminded_at or version.approval_expires_at is None:
            return False
        version.revalidation_reminded_at = timezone.now()
        version.save(update_fields=["revalidation_reminded_at"])
        expires = version.approval_expires_at
        event_record(
            actor=None,
            verb=EventVerb.REVALIDATION_REMINDER_SENT,
            target=version,
            after={"approval_expires_at": expires.isoformat()},
        )
        owner = version.model.owner
        transaction.on_commit(
            lambda: notify(
                [owner],
                f"{version} needs revalidation by {expires:%Y-%m-%d}",
                f"The approval of {version} expires on {expires:%Y-%m-%d %H:%M} UTC. Upload a "
                "current evaluation set, run an audit and submit it for review before then.",
            )
        )
    return True

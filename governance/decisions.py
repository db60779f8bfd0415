"""Risk officers' decisions as electronic signatures (21 CFR Part 11): the password re-entered,
a meaning chosen, the manifestation stored, and the signature bound to the sha256 of the
artifact and of the audit result it was made on. Four eyes are enforced here, never configured
away: neither the submitter nor the owner may decide, and tier 1 needs two risk officers."""

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from governance import hooks
from governance.errors import Conflict, Forbidden, InvalidInput
from governance.lifecycle import STATUS_FIELDS, approval_expiry, locked, move
from governance.models import (
    APPROVING_DECISIONS,
    Approval,
    DecisionKind,
    Event,
    ModelVersion,
    User,
    VersionStatus,
)
from governance.notifications import notify
from governance.permissions import require_decide
from governance.trail import event_record, snapshot

OUTCOME = {
    DecisionKind.REJECT: VersionStatus.REJECTED,
    DecisionKind.REQUEST_CHANGES: VersionStatus.CHANGES_REQUESTED,
}
VERBS = {
    DecisionKind.APPROVE: "approval_granted",
    DecisionKind.APPROVE_WITH_CONDITIONS: "approval_granted_with_conditions",
    DecisionKind.REJECT: "version_rejected",
    DecisionKind.REQUEST_CHANGES: "changes_requested",
}


def approvals_required(tier: int | None) -> int:
    """Tier-1 versions need two different risk officers; the others one."""
    return 2 if tier == 1 else 1


def signed_digest(artifact_sha256: str, audit_result_sha256: str) -> str:
    """sha256 of exactly what a signature covers: the artifact hash and the audit result hash."""
    return hashlib.sha256(f"{artifact_sha256}\n{audit_result_sha256}".encode()).hexdigest()


def signing_locked_until(actor: User) -> datetime | None:
    """When the actor may sign again after WARDEN_SIGNATURE_MAX_FAILURES wrong passwords within
    WARDEN_SIGNATURE_LOCKOUT_MINUTES; None when they may sign now."""
    window = timedelta(minutes=settings.WARDEN_SIGNATURE_LOCKOUT_MINUTES)
    recent = Event.objects.filter(
        verb="signature_refused", actor=actor, occurred_at__gte=timezone.now() - window
    )
    failures = list(
        recent.order_by("-occurred_at").values_list("occurred_at", flat=True)[
            : settings.WARDEN_SIGNATURE_MAX_FAILURES
        ]
    )
    if len(failures) < settings.WARDEN_SIGNATURE_MAX_FAILURES:
        return None
    return failures[0] + window


def signature_refused(*, actor: User, version: ModelVersion) -> None:
    """Record a failed signature attempt in its own transaction, so it stays on the trail."""
    with transaction.atomic():
        event_record(
            actor=actor, verb="signature_refused", target=version, note="the password did not match"
        )


def decision_record(
    *,
    actor: User,
    version: ModelVersion,
    decision: str,
    meaning: str,
    password: str,
    comment: str = "",
    conditions: str = "",
) -> Approval:
    """Sign one decision on a submitted version (or re-approve a suspended one)."""
    require_decide(actor)
    locked_until = signing_locked_until(actor)
    if locked_until:
        raise Forbidden(
            f"too many wrong passwords: signing is locked until {locked_until:%H:%M:%S} UTC",
            field="password",
        )
    if not actor.check_password(password):
        signature_refused(actor=actor, version=version)
        raise Forbidden("the password is not correct; the attempt is recorded", field="password")
    if decision == DecisionKind.APPROVE_WITH_CONDITIONS and not conditions.strip():
        raise InvalidInput("state the conditions", field="conditions")
    if decision not in APPROVING_DECISIONS and not comment.strip():
        raise InvalidInput("say why", field="comment")
    with transaction.atomic():
        version = locked(version)
        _check_can_decide(actor, version, decision)
        now = timezone.now()
        approval = Approval.objects.create(
            version=version,
            decision=decision,
            meaning=meaning,
            comment=comment.strip(),
            conditions=conditions.strip(),
            signer=actor,
            signer_printed_name=actor.printed_name,
            signer_username=actor.username,
            signed_at=now,
            artifact_sha256=version.artifact_sha256,
            audit_run_id=version.submitted_audit_run_id or 0,
            audit_result_sha256=version.submitted_audit_sha256,
            signed_sha256=signed_digest(version.artifact_sha256, version.submitted_audit_sha256),
        )
        before = snapshot(version, STATUS_FIELDS)
        outcome = _outcome(version, decision)
        if outcome:
            move(version, outcome)
            if outcome == VersionStatus.APPROVED:
                version.approval_expires_at = approval_expiry(version.model.risk_tier or 1, now)
                version.revalidation_reminded_at = None
                transaction.on_commit(lambda: hooks.version_approved(version.pk))
            version.save()
        event_record(
            actor=actor,
            verb=VERBS[decision],
            target=version,
            before=before,
            after={
                **snapshot(version, STATUS_FIELDS),
                "approval": approval.pk,
                "meaning": meaning,
                "signed_sha256": approval.signed_sha256,
                "manifestation": approval.manifestation,
            },
            note=comment.strip() or conditions.strip(),
        )
        owner = version.model.owner
        transaction.on_commit(
            lambda: notify(
                [owner],
                f"{version}: {approval.get_decision_display().lower()}",
                f"{approval.manifestation}\n\nStatus now: {version.get_status_display()}.\n"
                f"{approval.comment}\n{approval.conditions}".strip(),
            )
        )
    return approval


def _check_can_decide(actor: User, version: ModelVersion, decision: str) -> None:
    re_approval = version.status == VersionStatus.SUSPENDED
    if not (
        version.status == VersionStatus.SUBMITTED
        or (re_approval and decision in APPROVING_DECISIONS)
    ):
        raise Conflict(
            f"version {version.version} is {version.status}; only a submitted version "
            "can be decided on (and a suspended one re-approved)"
        )
    if actor.pk == version.submitted_by_id:
        raise Forbidden("you submitted this version; someone else must decide on it")
    if actor.pk == version.model.owner_id:
        raise Forbidden("you own this model; someone else must decide on it")
    if (
        decision in APPROVING_DECISIONS
        and _current_approvals(version).filter(signer=actor).exists()
    ):
        raise Conflict("you have approved this version already; a second risk officer must")


def _current_approvals(version: ModelVersion):  # type: ignore[no-untyped-def]
    """Approvals given since the version was last submitted or suspended, on the same evidence."""
    return version.approvals.filter(
        decision__in=APPROVING_DECISIONS,
        signed_at__gte=version.review_started_at,
        artifact_sha256=version.artifact_sha256,
        audit_result_sha256=version.submitted_audit_sha256,
    )


def _outcome(version: ModelVersion, decision: str) -> str | None:
    """The status the decision leads to, or None while a tier-1 version awaits its second."""
    if decision not in APPROVING_DECISIONS:
        return OUTCOME[decision]
    signers = _current_approvals(version).values("signer").distinct().count()
    return (
        VersionStatus.APPROVED if signers >= approvals_required(version.model.risk_tier) else None
    )

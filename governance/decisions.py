"""Risk officers' decisions as electronic signatures (21 CFR Part 11): the password re-entered,
a meaning chosen, the manifestation stored, and the signature bound to the sha256 of the
artifact and of the audit result it was made on. Four eyes are enforced here, never configured
away: neither the owner nor anyone who uploaded, audited or submitted the version may decide,
and tier 1 needs two risk officers."""

import hashlib

from django.db import transaction
from django.utils import timezone

from governance import hooks
from governance.attestations import attestation_clock_restart
from governance.conditions import findings_accepted_record, findings_to_accept
from governance.errors import Conflict, Forbidden, InvalidInput
from governance.evidence import audit_contributors
from governance.lifecycle import STATUS_FIELDS, approval_expiry, locked, move
from governance.models import (
    APPROVING_DECISIONS,
    DECISION_MEANINGS,
    Approval,
    DecisionKind,
    EventVerb,
    ModelVersion,
    User,
    VersionStatus,
)
from governance.notifications import notify
from governance.permissions import require_decide
from governance.signatures import signature_check
from governance.trail import event_record, snapshot

OUTCOME = {
    DecisionKind.REJECT: VersionStatus.REJECTED,
    DecisionKind.REQUEST_CHANGES: VersionStatus.CHANGES_REQUESTED,
}
VERBS = {
    DecisionKind.APPROVE: EventVerb.APPROVAL_GRANTED,
    DecisionKind.APPROVE_WITH_CONDITIONS: EventVerb.APPROVAL_GRANTED_WITH_CONDITIONS,
    DecisionKind.REJECT: EventVerb.VERSION_REJECTED,
    DecisionKind.REQUEST_CHANGES: EventVerb.CHANGES_REQUESTED,
}


def approvals_required(tier: int | None) -> int:
    """Tier-1 versions need two different risk officers; the others one."""
    return 2 if tier == 1 else 1


def decision_tier(version: ModelVersion) -> int:
    """The highest tier (lowest number) the model held since the version was submitted: a
    version is decided under it, for the approvals needed and the approval's lifetime, so a
    tier lowered during review cannot lighten the review."""
    model = version.model
    tiers = {model.risk_tier}
    submitted_at = version.submitted_at
    if submitted_at is not None:
        assessments = list(model.assessments.all())  # newest first; prefetched in the queue
        since = [a.tier for a in assessments if a.assessed_at > submitted_at]
        held = next((a.tier for a in assessments if a.assessed_at <= submitted_at), None)
        tiers |= {*since, held}
    return min((tier for tier in tiers if tier is not None), default=1)


def signed_digest(
    artifact_sha256: str, audit_result_sha256: str, transcripts_sha256: str = ""
) -> str:
    """sha256 of exactly what a signature covers: the artifact hash and the audit result hash,
    and for an LLM version the hash of the transcripts that audit scored (a third line)."""
    lines = [artifact_sha256, audit_result_sha256, transcripts_sha256]
    return hashlib.sha256("\n".join(line for line in lines if line).encode()).hexdigest()


def decision_record(
    *,
    actor: User,
    version: ModelVersion,
    decision: str,
    meaning: str,
    password: str = "",
    comment: str = "",
    conditions: str = "",
    accepted_findings: list[int] | None = None,
    reauthentication: int | None = None,
) -> Approval:
    """Sign one decision on a submitted version (or re-approve a suspended one). A standing
    high or critical finding blocks an approval unless it is an approval with conditions
    accepting it by id (`accepted_findings`, linked with its due date). An approval fires
    governance.hooks.version_approved once committed, whose listener (reports.apps registers
    it) queues the version's signed model card. A single sign-on signer passes its verified
    step-up (`reauthentication`) instead of a password."""
    require_decide(actor)
    authentication = signature_check(
        actor=actor, password=password, target=version, reauthentication=reauthentication
    )
    if meaning not in dict(DECISION_MEANINGS):
        raise InvalidInput(f"a decision cannot mean {meaning!r}", field="meaning")
    if decision == DecisionKind.APPROVE_WITH_CONDITIONS and not conditions.strip():
        raise InvalidInput("state the conditions", field="conditions")
    if decision not in APPROVING_DECISIONS and not comment.strip():
        raise InvalidInput("say why", field="comment")
    with transaction.atomic():
        version = locked(version)
        _check_can_decide(actor, version, decision)
        accepted = findings_to_accept(version, decision, accepted_findings or [])
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
            authentication=authentication,
            artifact_sha256=version.artifact_sha256,
            audit_run_id=version.submitted_audit_run_id or 0,
            audit_result_sha256=version.submitted_audit_sha256,
            transcripts_sha256=version.submitted_transcripts_sha256,
            signed_sha256=signed_digest(
                version.artifact_sha256,
                version.submitted_audit_sha256,
                version.submitted_transcripts_sha256,
            ),
        )
        if decision in APPROVING_DECISIONS:
            attestation_clock_restart(version.model_id, now)
        accepted_named = findings_accepted_record(approval, accepted)
        before = snapshot(version, STATUS_FIELDS)
        outcome = _outcome(version, decision)
        if outcome:
            move(version, outcome)
            if outcome == VersionStatus.APPROVED:
                version.approval_expires_at = approval_expiry(decision_tier(version), now)
                version.revalidation_reminded_at = None
                transaction.on_commit(lambda: hooks.version_approved(version.pk))
            else:  # refused, also on revalidation: the earlier approval no longer stands
                version.approval_expires_at = None
            version.save()
        event_record(
            actor=actor,
            verb=VERBS[DecisionKind(decision)],
            target=version,
            before=before,
            after={
                **snapshot(version, STATUS_FIELDS),
                "approval": approval.pk,
                "meaning": meaning,
                "signed_sha256": approval.signed_sha256,
                "transcripts_sha256": approval.transcripts_sha256,
                "manifestation": approval.manifestation,
                "accepted_findings": accepted_named,
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
    involvement = decision_conflict(actor, version)
    if involvement:
        raise Forbidden(f"you {involvement}; someone else must decide on it")
    if (
        decision in APPROVING_DECISIONS
        and _current_approvals(version).filter(signer=actor).exists()
    ):
        raise Conflict("you have approved this version already; a second risk officer must")


def decision_conflict(actor: User, version: ModelVersion) -> str:
    """How the actor took part in the version ("uploaded this version", ...), or "" when they
    did not. Checked by person, never by role, so a role granted later changes nothing."""
    if actor.pk == version.model.owner_id:
        return "own this model"
    if actor.pk == version.created_by_id:
        return "uploaded this version"
    if actor.pk == version.submitted_by_id:
        return "submitted this version"
    if actor.pk in audit_contributors(version):
        return "uploaded evaluation data or started an audit of this version"
    return ""


def _current_approvals(version: ModelVersion):  # type: ignore[no-untyped-def]
    """Approvals given since the version was last submitted or suspended, on the same evidence."""
    return version.approvals.filter(
        decision__in=APPROVING_DECISIONS,
        signed_at__gte=version.review_started_at,
        artifact_sha256=version.artifact_sha256,
        audit_result_sha256=version.submitted_audit_sha256,
        transcripts_sha256=version.submitted_transcripts_sha256,
    )


def _outcome(version: ModelVersion, decision: str) -> str | None:
    """The status the decision leads to, or None while a tier-1 version awaits its second."""
    if decision not in APPROVING_DECISIONS:
        return OUTCOME[DecisionKind(decision)]
    signers = _current_approvals(version).values("signer").distinct().count()
    return VersionStatus.APPROVED if signers >= approvals_required(decision_tier(version)) else None

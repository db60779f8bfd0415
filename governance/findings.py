"""The validation findings register: a risk officer raises a finding, its owner answers it with
a remediation and evidence, another risk officer closes it or sends it back, and the owners of
overdue findings are reminded. Every step is one trail event in the step's transaction."""

from datetime import date

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from digests import file_sha256
from governance.errors import DISK_FULL_MESSAGE, Conflict, InvalidInput, StorageFull, is_disk_full
from governance.models import (
    FINDING_TRANSITIONS,
    EventVerb,
    Finding,
    FindingStatus,
    MLModel,
    ModelVersion,
    RedTeamAttempt,
    Remediation,
    User,
)
from governance.notifications import notify
from governance.permissions import (
    require_raise_finding,
    require_remediate_finding,
    require_validate_finding,
)
from governance.roles import Role
from governance.trail import event_record, snapshot

FINDING_FIELDS = [
    "model",
    "version",
    "title",
    "severity",
    "basis_audit_run_id",
    "basis_check_id",
    "basis_reference",
    "basis_red_team_attempt",
    "owner",
    "due_on",
    "status",
    "closed_by",
    "closed_at",
]
OWNER_ROLES = (Role.ENGINEER, Role.RISK_OFFICER)


def finding_raise(
    *,
    actor: User,
    model: MLModel,
    version: ModelVersion | None = None,
    title: str,
    severity: str,
    description: str,
    owner: User,
    due_on: date,
    basis_audit_run_id: int | None = None,
    basis_check_id: str = "",
    basis_reference: str = "",
    basis_red_team_attempt: RedTeamAttempt | None = None,
) -> Finding:
    """A risk officer raises a finding against a version, or against a model (all its
    versions); it must rest on an audit run's check, a document or report, or a successful
    red-team attempt on that version."""
    require_raise_finding(actor)
    if version is not None and version.model_id != model.pk:
        raise InvalidInput(
            f"version {version.version} is not a version of {model}", field="version"
        )
    if basis_red_team_attempt is not None:
        _require_attempt_basis(basis_red_team_attempt, version)
    elif basis_audit_run_id is None and not basis_reference.strip():
        raise InvalidInput(
            "name what the finding rests on: an audit run and check, or a document or report",
            field="basis_reference",
        )
    if basis_audit_run_id is not None and not basis_check_id:
        raise InvalidInput("name the check of the audit run", field="basis_check_id")
    if not (owner.is_active and any(owner.has_role(role) for role in OWNER_ROLES)):
        raise InvalidInput("a finding's owner is an active engineer or risk officer", field="owner")
    if due_on < timezone.localdate():
        raise InvalidInput("the due date is in the past", field="due_on")
    with transaction.atomic():
        finding = Finding.objects.create(
            model=model,
            version=version,
            title=title,
            severity=severity,
            description=description,
            basis_audit_run_id=basis_audit_run_id,
            basis_check_id=basis_check_id,
            basis_reference=basis_reference.strip(),
            basis_red_team_attempt=basis_red_team_attempt,
            owner=owner,
            due_on=due_on,
            raised_by=actor,
        )
        event_record(
            actor=actor,
            verb=EventVerb.FINDING_RAISED,
            target=finding,
            after=snapshot(finding, FINDING_FIELDS),
            note=description,
        )
        transaction.on_commit(
            lambda: notify(
                [owner],
                f"{finding} ({severity}) on {version or model}, due {due_on:%Y-%m-%d}",
                f"{description}\n\nRaised by {actor.printed_name}. Answer it with a remediation "
                "and its evidence before the due date.",
            )
        )
    return finding


def _require_attempt_basis(attempt: RedTeamAttempt, version: ModelVersion | None) -> None:
    """A finding rests only on a standing, successful attempt against its own version."""
    if version is None or attempt.campaign.version_id != version.pk:
        raise InvalidInput(
            f"red-team attempt #{attempt.pk} was not made against this version", field="version"
        )
    if attempt.is_withdrawn:
        raise Conflict(f"red-team attempt #{attempt.pk} was withdrawn", field="attempt")
    if not attempt.succeeded:
        raise Conflict("a finding rests only on a successful red-team attempt", field="attempt")


def _locked(finding: Finding) -> Finding:
    return Finding.objects.select_for_update().select_related("model__team").get(pk=finding.pk)


def _move(finding: Finding, to: str) -> None:
    """Change the status if FINDING_TRANSITIONS allows it, else Conflict naming both states."""
    if to not in FINDING_TRANSITIONS[finding.status]:
        raise Conflict(f"{finding} is {finding.status} and cannot become {to}", field="status")
    finding.status = to


def finding_remediate(
    *,
    actor: User,
    finding: Finding,
    note: str,
    audit_run_id: int | None = None,
    evidence: UploadedFile | None = None,
) -> Remediation:
    """The owner (or the model's team) answers an open finding with what was done and its
    evidence: a note, and optionally a new audit run and a file (kept with its sha256)."""
    require_remediate_finding(actor, finding)
    if not note.strip():
        raise InvalidInput("say what was done", field="note")
    if evidence is not None and (evidence.size or 0) > settings.WARDEN_MAX_EVIDENCE_BYTES:
        raise InvalidInput(
            f"the file is larger than {settings.WARDEN_MAX_EVIDENCE_BYTES} bytes", field="evidence"
        )
    with transaction.atomic():
        finding = _locked(finding)
        before = snapshot(finding, FINDING_FIELDS)
        _move(finding, FindingStatus.REMEDIATED)
        finding.save(update_fields=["status"])
        remediation = Remediation(
            finding=finding, note=note.strip(), audit_run_id=audit_run_id, remediated_by=actor
        )
        stored = ""
        try:
            if evidence is not None:
                remediation.evidence_sha256, remediation.evidence_size = file_sha256(evidence)
                target = remediation.evidence.field.generate_filename(
                    remediation, evidence.name or "evidence"
                )
                stored = remediation.evidence.storage.save(target, evidence)
                remediation.evidence.name = stored
            remediation.save()
            event_record(
                actor=actor,
                verb=EventVerb.FINDING_REMEDIATED,
                target=finding,
                before=before,
                after={
                    **snapshot(finding, FINDING_FIELDS),
                    "remediation": remediation.pk,
                    "audit_run_id": audit_run_id,
                    "evidence": stored,
                    "evidence_sha256": remediation.evidence_sha256,
                },
                note=remediation.note,
            )
        except Exception as error:
            if stored:
                remediation.evidence.storage.delete(stored)
            if is_disk_full(error):
                raise StorageFull(DISK_FULL_MESSAGE, field="evidence") from None
            raise
    return remediation


def finding_close(*, actor: User, finding: Finding, note: str = "") -> Finding:
    """The validator, a risk officer who did not answer it, accepts the remediation."""
    return _validate(actor=actor, finding=finding, to=FindingStatus.CLOSED, note=note)


def finding_reopen(*, actor: User, finding: Finding, reason: str) -> Finding:
    """The validator sends a remediated finding back, or reopens a closed one, saying why."""
    if not reason.strip():
        raise InvalidInput("say why it is reopened", field="reason")
    return _validate(actor=actor, finding=finding, to=FindingStatus.OPEN, note=reason)


def _validate(*, actor: User, finding: Finding, to: str, note: str) -> Finding:
    with transaction.atomic():
        finding = _locked(finding)
        require_validate_finding(actor, finding)
        before = snapshot(finding, FINDING_FIELDS)
        _move(finding, to)
        closing = to == FindingStatus.CLOSED
        finding.closed_by = actor if closing else None
        finding.closed_at = timezone.now() if closing else None
        finding.overdue_reminded_at = None
        finding.save()
        event_record(
            actor=actor,
            verb=EventVerb.FINDING_CLOSED if closing else EventVerb.FINDING_REOPENED,
            target=finding,
            before=before,
            after=snapshot(finding, FINDING_FIELDS),
            note=note.strip(),
        )
        owner = finding.owner
        transaction.on_commit(
            lambda: notify(
                [owner],
                f"{finding}: {finding.get_status_display().lower()}",
                f"{actor.printed_name} {'closed' if closing else 'reopened'} it.\n\n{note}".strip(),
            )
        )
    return finding


def finding_overdue_remind(*, finding_id: int) -> bool:
    """E-mail the owner of an overdue finding, once until it is reopened."""
    with transaction.atomic():
        finding = (
            Finding.objects.select_for_update().select_related("owner", "model").get(pk=finding_id)
        )
        if finding.overdue_reminded_at or not finding.is_overdue():
            return False
        finding.overdue_reminded_at = timezone.now()
        finding.save(update_fields=["overdue_reminded_at"])
        event_record(
            actor=None,
            verb=EventVerb.FINDING_OVERDUE_REMINDER_SENT,
            target=finding,
            after={"due_on": finding.due_on.isoformat(), "owner": finding.owner_id},
        )
        owner = finding.owner
        transaction.on_commit(
            lambda: notify(
                [owner],
                f"{finding} was due on {finding.due_on:%Y-%m-%d}",
                f"The {finding.get_severity_display().lower()} finding on {finding.model} is "
                "overdue. Answer it with a remediation and its evidence.",
            )
        )
    return True

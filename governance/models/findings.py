"""Validation findings (SR 11-7 "effective challenge"): what a risk officer found wrong with a
version or a model, its owner and due date, the remediations answering it and their evidence."""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from governance.models.decisions import Approval
from governance.models.registry import MLModel, ModelVersion


class FindingSeverity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High (blocks approval while open)"
    CRITICAL = "critical", "Critical (blocks approval while open)"


# An open finding of these severities blocks an approval unless the approval accepts it.
BLOCKING_SEVERITIES = frozenset({FindingSeverity.HIGH, FindingSeverity.CRITICAL})


class FindingStatus(models.TextChoices):
    OPEN = "open", "Open"
    REMEDIATED = "remediated", "Remediated, awaiting validation"
    CLOSED = "closed", "Closed"


_F = FindingStatus
# The finding lifecycle: the owner answers (open -> remediated); the validator closes it or
# sends it back (remediated -> open); a closed finding may be reopened.
FINDING_TRANSITIONS: dict[str, frozenset[str]] = {
    _F.OPEN: frozenset({_F.REMEDIATED}),
    _F.REMEDIATED: frozenset({_F.CLOSED, _F.OPEN}),
    _F.CLOSED: frozenset({_F.OPEN}),
}
# Statuses in which a finding still stands (it blocks, and it can be overdue).
OPEN_FINDING_STATUSES = frozenset({_F.OPEN, _F.REMEDIATED})


class Finding(models.Model):
    """One validation finding against a version (or, with no version, against every version of
    a model). It rests on an audit run's check or on a document or report, named by reference
    (the registry does not depend on the audits or reports apps), or on a red-team attempt."""

    model = models.ForeignKey(MLModel, on_delete=models.PROTECT, related_name="findings")
    version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="findings"
    )
    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=FindingSeverity.choices)
    description = models.TextField(max_length=10000)
    basis_audit_run_id = models.PositiveBigIntegerField(null=True, blank=True)
    basis_check_id = models.CharField(max_length=64, blank=True)
    basis_reference = models.CharField(max_length=500, blank=True)
    # A red-team attempt it rests on: the link lives here, the attempt's evidence stays untouched.
    basis_red_team_attempt = models.ForeignKey(
        "governance.RedTeamAttempt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_findings"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=12, choices=FindingStatus.choices, default=_F.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    overdue_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"finding #{self.pk}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_FINDING_STATUSES

    @property
    def blocks_approval(self) -> bool:
        return self.is_open and self.severity in BLOCKING_SEVERITIES

    def is_overdue(self, today: date | None = None) -> bool:
        """Unanswered after its due date (a remediated one waits on the validator instead)."""
        return self.status == FindingStatus.OPEN and self.due_on < (today or timezone.localdate())

    @property
    def basis(self) -> str:
        """What the finding rests on, as people write it."""
        parts = []
        if self.basis_audit_run_id:
            parts.append(f"audit #{self.basis_audit_run_id} check {self.basis_check_id}")
        if self.basis_red_team_attempt_id:
            parts.append(f"red-team attempt #{self.basis_red_team_attempt_id}")
        if self.basis_reference:
            parts.append(self.basis_reference)
        return "; ".join(parts)


def evidence_upload_to(instance: "Remediation", filename: str) -> str:
    """A fresh folder per upload, so two remediations' files never collide."""
    return f"findings/{instance.finding_id}/{uuid.uuid4().hex}/{filename}"


class Remediation(models.Model):
    """The owner's answer to a finding: what was done, with evidence (a new audit run by id, an
    uploaded file kept with its sha256, a note)."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="remediations")
    note = models.TextField(max_length=10000)
    audit_run_id = models.PositiveBigIntegerField(null=True, blank=True)
    evidence = models.FileField(upload_to=evidence_upload_to, max_length=300, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    evidence_size = models.PositiveBigIntegerField(null=True, blank=True)
    remediated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    remediated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["remediated_at", "id"]

    def __str__(self) -> str:
        return f"remediation of finding #{self.finding_id}"


class AcceptedFinding(models.Model):
    """A finding an approval with conditions accepts, with the due date it was accepted on: the
    structured naming that lets a blocking finding stand while the version is approved."""

    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="accepted")
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="acceptances")
    due_on = models.DateField()

    class Meta:
        ordering = ["approval", "finding"]
        constraints = [
            models.UniqueConstraint(
                fields=["approval", "finding"], name="finding_accepted_once_per_approval"
            )
        ]

    def __str__(self) -> str:
        return f"finding #{self.finding_id} accepted by approval #{self.approval_id}"

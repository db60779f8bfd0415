"""Review decisions (electronic signatures) and deployments of versions."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

from governance.models.registry import ModelVersion

if TYPE_CHECKING:
    from governance.models.attestations import Attestation


class DecisionKind(models.TextChoices):
    APPROVE = "approve", "Approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions", "Approve with conditions"
    REJECT = "reject", "Reject"
    REQUEST_CHANGES = "request_changes", "Request changes"


APPROVING_DECISIONS = frozenset({DecisionKind.APPROVE, DecisionKind.APPROVE_WITH_CONDITIONS})


class SignatureMeaning(models.TextChoices):
    """What the signer declares by signing (21 CFR 11.50(a)(3))."""

    REVIEW = "review", "Review: I have reviewed this version and its audit"
    APPROVAL = "approval", "Approval: I approve this version for deployment"
    RESPONSIBILITY = "responsibility", "Responsibility: I take responsibility for this decision"
    ATTESTATION = (
        "attestation",
        "Attestation: the model is used as approved, with no material change",
    )


# The meanings a decision on a version may carry (an attestation is signed on its own page).
DECISION_MEANINGS = [
    (m.value, m.label)
    for m in (SignatureMeaning.REVIEW, SignatureMeaning.APPROVAL, SignatureMeaning.RESPONSIBILITY)
]


def manifestation_text(signed: "Approval | Attestation") -> str:
    """A signature's manifestation (21 CFR 11.50): printed name, username, UTC time, meaning,
    and for a single sign-on user the re-authentication that stood in for the password."""
    text = (
        f"{signed.signer_printed_name} ({signed.signer_username}), "
        f"{signed.signed_at:%Y-%m-%d %H:%M:%S} UTC, {signed.get_meaning_display()}"
    )
    return f"{text}, {signed.authentication}" if signed.authentication else text


class Approval(models.Model):
    """One risk officer's signed decision on a version. The manifestation (printed name,
    username, UTC time, meaning) is copied as text; `signed_sha256` binds the signature to the
    artifact and the audit result it was made on (and an LLM version's transcripts), so a change
    to any of them voids it."""

    version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="approvals")
    decision = models.CharField(max_length=30, choices=DecisionKind.choices)
    meaning = models.CharField(max_length=20, choices=SignatureMeaning.choices)
    comment = models.TextField(max_length=5000, blank=True)
    conditions = models.TextField(max_length=5000, blank=True)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_printed_name = models.CharField(max_length=200)
    signer_username = models.CharField(max_length=150)
    signed_at = models.DateTimeField()
    artifact_sha256 = models.CharField(max_length=64)
    audit_run_id = models.PositiveBigIntegerField()
    audit_result_sha256 = models.CharField(max_length=64)
    # An LLM version's transcripts, as scored by that audit ("" for other versions).
    transcripts_sha256 = models.CharField(max_length=64, blank=True, default="")
    signed_sha256 = models.CharField(max_length=64)
    # How the signer proved it was them, when not by re-entering their password ("" then).
    authentication = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["signed_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} of {self.version} by {self.signer_printed_name}"

    @property
    def manifestation(self) -> str:
        """The signature as shown wherever the decision is shown."""
        return manifestation_text(self)


class Deployment(models.Model):
    """A version put into an environment, by whom and when."""

    version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="deployments")
    environment = models.SlugField(max_length=50)
    note = models.TextField(max_length=2000, blank=True)
    deployed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    deployed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deployed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.version} in {self.environment}"

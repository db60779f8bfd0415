"""Periodic attestations: the model owner's signed statement, on a cadence per tier, that the
model is used as approved with no material change."""

from django.conf import settings
from django.db import models

from governance.models.decisions import SignatureMeaning, manifestation_text
from governance.models.registry import MLModel


class OverdueAttestation(models.TextChoices):
    """What the deployment gate does about a model whose attestation is overdue
    (WARDEN_ATTESTATION_OVERDUE)."""

    WARN = "warn", "Allow, with a warning"
    BLOCK = "block", "Refuse the deployment"


class Attestation(models.Model):
    """One signed attestation. The manifestation is copied as text; `versions` records the
    live versions (and their artifact sha256) the statement covers, and `signed_sha256` binds
    the signature to the statement and that list."""

    model = models.ForeignKey(MLModel, on_delete=models.PROTECT, related_name="attestations")
    statement = models.TextField(max_length=5000)
    versions = models.JSONField(default=list)
    meaning = models.CharField(
        max_length=20, choices=SignatureMeaning.choices, default=SignatureMeaning.ATTESTATION
    )
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_printed_name = models.CharField(max_length=200)
    signer_username = models.CharField(max_length=150)
    signed_at = models.DateTimeField()
    signed_sha256 = models.CharField(max_length=64)
    # How the signer proved it was them, when not by re-entering their password ("" then).
    authentication = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"attestation of {self.model} by {self.signer_printed_name}"

    @property
    def manifestation(self) -> str:
        """The signature as shown wherever the attestation is shown."""
        return manifestation_text(self)

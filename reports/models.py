"""Signed documents issued by Warden: model cards, compliance reports and Annex IV
technical documentation."""

from django.conf import settings
from django.db import models

from governance.models import ModelVersion


class ReportKind(models.TextChoices):
    MODEL_CARD = "model_card", "Model card"
    COMPLIANCE = "compliance", "Compliance report"
    ANNEX_IV = "annex_iv", "Annex IV technical documentation"


def report_upload_to(instance: "Report", filename: str) -> str:
    """One file per record; the record is unique, so files never collide."""
    return f"reports/{instance.kind}/{filename}"


class Report(models.Model):
    """One signed PDF as issued: what it stands for (`record`, also written into the PDF), its
    sha256, who signed it and when, and the trail head it attests to. Never changed: a new
    state of the version means a new card."""

    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    record = models.CharField(max_length=200, unique=True)
    file = models.FileField(upload_to=report_upload_to, max_length=300)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    signer_name = models.CharField(max_length=300)
    signer_fingerprint = models.CharField(max_length=64, db_index=True)
    is_development_key = models.BooleanField()
    signed_at = models.DateTimeField()
    trail_head_seq = models.PositiveBigIntegerField()
    trail_head_hash = models.CharField(max_length=64)
    # sha256 of what the document shows of the registry, to tell whether it is still current.
    state_sha256 = models.CharField(max_length=64, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["version", "state_sha256"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.record}"

"""What the MLflow registry sync keeps: which MLflow model and version each Warden record came
from (provenance), what could not be imported and why, and the webhook deliveries received."""

from django.db import models

from governance.models.registry import MLModel, ModelVersion


class MLflowModelLink(models.Model):
    """A registered model of the MLflow server and the Warden model it became; `removed_at` is
    set when the registry no longer lists it (the Warden model is kept)."""

    name = models.CharField(max_length=256, unique=True)
    model = models.OneToOneField(MLModel, on_delete=models.PROTECT, related_name="mlflow_link")
    removed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"MLflow {self.name}"


class MLflowVersionLink(models.Model):
    """One MLflow model version: its run and source as provenance, the Warden version made from
    it (none when `refusal` says why its artifact was not importable) and its aliases."""

    model_link = models.ForeignKey(
        MLflowModelLink, on_delete=models.PROTECT, related_name="versions"
    )
    mlflow_version = models.CharField(max_length=64)
    run_id = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=2000, blank=True)
    version = models.OneToOneField(
        ModelVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="mlflow_link"
    )
    refusal = models.TextField(blank=True)
    aliases = models.JSONField(default=list, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["model_link", "mlflow_version"], name="unique_mlflow_version"
            )
        ]

    def __str__(self) -> str:
        return f"MLflow {self.model_link.name} v{self.mlflow_version}"


class DeliveryVerdict(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    BAD_SIGNATURE = "bad_signature", "Refused: bad or missing signature"
    STALE = "stale", "Refused: stale or missing timestamp"
    REPLAYED = "replayed", "Refused: delivery id seen before"
    UNCONFIGURED = "unconfigured", "Refused: no shared secret is configured"


class MLflowWebhookDelivery(models.Model):
    """One POST to the MLflow webhook, accepted or refused, kept so refusals are visible and a
    replayed delivery id is recognised."""

    delivery_id = models.CharField(max_length=100, blank=True, db_index=True)
    received_at = models.DateTimeField(auto_now_add=True)
    verdict = models.CharField(max_length=20, choices=DeliveryVerdict.choices)
    event = models.CharField(max_length=100, blank=True)
    reason = models.TextField(blank=True)
    remote_addr = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery_id"],
                condition=models.Q(verdict=DeliveryVerdict.ACCEPTED),
                name="unique_accepted_mlflow_delivery",
            )
        ]

    def __str__(self) -> str:
        return f"MLflow delivery {self.delivery_id or '(none)'} {self.verdict}"

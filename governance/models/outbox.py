"""The outbox: messages announcing trail events to people outside Warden, the webhook endpoints
and e-mail subscriptions that receive them, and each delivery with its log of attempts."""

import uuid

from django.db import models

from governance.models.trail import Event


class OutboxEventType(models.TextChoices):
    """Every type of announcement a subscriber can choose, named once (Standard Webhooks style
    `noun.verb`). Stored without DB choices, so adding a type is one line here and one in
    governance.outbox.ANNOUNCED, with no migration."""

    VERSION_SUBMITTED = "version.submitted", "Version submitted for review"
    VERSION_APPROVED = "version.approved", "Version approved"
    VERSION_REJECTED = "version.rejected", "Version rejected"
    VERSION_SUSPENDED = "version.suspended", "Version suspended"
    AUDIT_COMPLETED = "audit.completed", "Audit completed"
    AUDIT_FAILED = "audit.failed", "Audit failed (errored)"
    INCIDENT_REPORTED = "incident.reported", "Incident reported"
    INCIDENT_DEADLINE_NEAR = "incident.deadline_near", "Incident report deadline near"
    MONITOR_ALERT = "monitor.alert", "Monitoring audit failed its policy"
    FINDING_OVERDUE = "finding.overdue", "Validation finding overdue"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    DEAD = "dead", "Dead letter (gave up)"


class EmailAudience(models.TextChoices):
    """Who an e-mail subscription writes to, resolved when the message is sent."""

    OWNER = "owner", "The model's owner"
    RISK_OFFICERS = "risk_officers", "Every active risk officer"


class OutboxMessage(models.Model):
    """One announcement of one trail event, written in the event's own transaction, so it exists
    if and only if the event does. `webhook_id` is the Standard Webhooks `webhook-id`: stable
    across retries and redeliveries, so receivers can drop duplicates."""

    webhook_id = models.CharField(max_length=40, unique=True, editable=False)
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="+")
    event_type = models.CharField(max_length=64, db_index=True)  # an OutboxEventType
    payload = models.JSONField()
    model_ids = models.JSONField(default=list)  # the models it concerns (their owners are told)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.event_type} {self.webhook_id}"

    @staticmethod
    def new_webhook_id() -> str:
        return f"msg_{uuid.uuid4().hex}"


class WebhookEndpoint(models.Model):
    """A URL that receives the chosen event types, signed with its own `whsec_` secret."""

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100, editable=False)
    event_types = models.JSONField(default=list)  # OutboxEventType values
    slack_format = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"webhook {self.name} ({self.url})"


class EmailSubscription(models.Model):
    """An audience (the owner, or the risk officers) told of the chosen event types by e-mail."""

    audience = models.CharField(max_length=20, choices=EmailAudience.choices)
    event_types = models.JSONField(default=list)  # OutboxEventType values
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["audience", "id"]

    def __str__(self) -> str:
        return f"e-mail to {self.get_audience_display().lower()}"


class Delivery(models.Model):
    """One message to one subscriber (a webhook endpoint or an e-mail subscription), tried until
    delivered or dead-lettered. `next_attempt_at` is also the lease of an attempt in flight: a
    worker that dies mid-send leaves it pending and due again, so the sweep resends it."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.PROTECT, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    subscription = models.ForeignKey(
        EmailSubscription,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                name="delivery_has_one_subscriber",
                condition=(
                    models.Q(endpoint__isnull=False, subscription__isnull=True)
                    | models.Q(endpoint__isnull=True, subscription__isnull=False)
                ),
            ),
            models.UniqueConstraint(fields=["message", "endpoint"], name="delivery_once_per_hook"),
            models.UniqueConstraint(
                fields=["message", "subscription"], name="delivery_once_per_subscription"
            ),
        ]

    def __str__(self) -> str:
        return f"delivery #{self.pk} of {self.message.webhook_id} to {self.subscriber}"

    @property
    def subscriber(self) -> WebhookEndpoint | EmailSubscription:
        return self.endpoint or self.subscription  # type: ignore[return-value]


class DeliveryAttempt(models.Model):
    """One try of a delivery, as the delivery log shows it: when, the answer and how long.
    `number` counts within the current round (a redelivery starts a new round)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField()
    succeeded = models.BooleanField(default=False)
    status_code = models.PositiveIntegerField(null=True, blank=True)  # None: no HTTP answer
    latency_ms = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery #{self.delivery_id}"

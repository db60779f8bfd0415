"""Shapes of the outbox API: endpoints (the secret only in the answer that created it),
e-mail subscriptions, deliveries with their log, and the trail's cursor page."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from governance.api.fields import StrictSerializer
from governance.api.serializers import EventSerializer
from governance.models import (
    Delivery,
    DeliveryAttempt,
    EmailAudience,
    EmailSubscription,
    OutboxEventType,
    WebhookEndpoint,
)


class WebhookEndpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "name", "url", "event_types", "slack_format", "active", "created_at"]
        read_only_fields = fields


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(help_text="the signing secret (whsec_...); shown only now")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
    url = serializers.CharField(max_length=500)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(OutboxEventType.choices), allow_empty=False
    )
    slack_format = serializers.BooleanField(default=False)


class WebhookEndpointUpdateSerializer(StrictSerializer):
    url = serializers.CharField(max_length=500, required=False)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(OutboxEventType.choices), required=False, allow_empty=False
    )
    slack_format = serializers.BooleanField(required=False)
    active = serializers.BooleanField(required=False)


class EmailSubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = EmailSubscription
        fields = ["id", "audience", "event_types", "active", "created_at"]
        read_only_fields = fields


class EmailSubscriptionCreateSerializer(StrictSerializer):
    audience = serializers.ChoiceField(EmailAudience.choices)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(OutboxEventType.choices), allow_empty=False
    )


class EmailSubscriptionUpdateSerializer(StrictSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(OutboxEventType.choices), required=False, allow_empty=False
    )
    active = serializers.BooleanField(required=False)


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "attempted_at", "succeeded", "status_code", "latency_ms", "error"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    webhook_id = serializers.CharField(source="message.webhook_id")
    event_type = serializers.CharField(source="message.event_type")
    event_seq = serializers.IntegerField(source="message.event.seq")
    subscriber = serializers.CharField(source="subscriber.__str__")
    log = DeliveryAttemptSerializer(many=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "webhook_id",
            "event_type",
            "event_seq",
            "endpoint",
            "subscription",
            "subscriber",
            "status",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "last_error",
            "log",
        ]
        read_only_fields = fields


@extend_schema_serializer(many=False)  # already the whole page: not wrapped in pagination again
class EventCursorPageSerializer(serializers.Serializer):
    """A page of the trail: numbered pages without `after_seq`, the SIEM cursor with it (then
    `next_after_seq` and `has_more` are there too)."""

    count = serializers.IntegerField(help_text="events in the list (after after_seq, if given)")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = EventSerializer(many=True)
    next_after_seq = serializers.IntegerField(
        required=False,
        help_text="with after_seq: ask with it next; equal to after_seq when nothing is new",
    )
    has_more = serializers.BooleanField(required=False)

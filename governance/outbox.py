"""The transactional outbox: which trail events are announced, as what type, and writing the
message and its deliveries in the event's own transaction (a rolled-back change announces
nothing). Workers send the deliveries once the transaction commits (governance.delivery)."""

import logging
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from governance.models import (
    Delivery,
    DeliveryStatus,
    EmailSubscription,
    Event,
    EventVerb,
    MLModel,
    OutboxEventType,
    OutboxMessage,
    VersionStatus,
    WebhookEndpoint,
)

logger = logging.getLogger(__name__)

T = OutboxEventType
# The verbs announced and the type each is announced as. A new announcement is one line here
# (and its type in OutboxEventType), e.g. `EventVerb.FINDING_OVERDUE: T.FINDING_OVERDUE`.
ANNOUNCED: dict[str, OutboxEventType] = {
    EventVerb.VERSION_SUBMITTED: T.VERSION_SUBMITTED,
    EventVerb.APPROVAL_GRANTED: T.VERSION_APPROVED,
    EventVerb.APPROVAL_GRANTED_WITH_CONDITIONS: T.VERSION_APPROVED,
    EventVerb.VERSION_REJECTED: T.VERSION_REJECTED,
    EventVerb.VERSION_SUSPENDED: T.VERSION_SUSPENDED,
    EventVerb.AUDIT_COMPLETED: T.AUDIT_COMPLETED,
    EventVerb.AUDIT_ERRORED: T.AUDIT_FAILED,
    EventVerb.INCIDENT_REPORTED: T.INCIDENT_REPORTED,
    EventVerb.INCIDENT_DEADLINE_REMINDER_SENT: T.INCIDENT_DEADLINE_NEAR,
    EventVerb.MONITOR_ALERTED: T.MONITOR_ALERT,
}
# Announced only when the event leaves the target in this state: the first of a tier-1
# version's two approvals approves nothing yet.
ANNOUNCED_ONLY_AT: dict[OutboxEventType, str] = {T.VERSION_APPROVED: VersionStatus.APPROVED}


def announced_type(event: Event) -> OutboxEventType | None:
    """The type this event is announced as, or None when no one is told of it."""
    event_type = ANNOUNCED.get(event.verb)
    if event_type is None:
        return None
    status = ANNOUNCED_ONLY_AT.get(event_type)
    if status is not None and (event.after or {}).get("status") != status:
        return None
    return event_type


def message_payload(event: Event, event_type: OutboxEventType) -> dict[str, Any]:
    """The Standard Webhooks body: `type`, `timestamp` and `data`, the event as the trail API
    shows it (its seq and hash let a receiver check it against `GET /api/events/`)."""
    return {
        "type": event_type.value,
        "timestamp": event.occurred_at.isoformat(),
        "data": {
            "seq": event.seq,
            "verb": event.verb,
            "actor_name": event.actor_name,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "target_repr": event.target_repr,
            "after": event.after,
            "note": event.note,
            "hash": event.hash,
        },
    }


def models_of(target: models.Model) -> list[int]:
    """The ids of the models a target concerns: itself, its model, its version's model, or its
    versions' models (an incident)."""
    if isinstance(target, MLModel):
        return [target.pk]
    if isinstance(getattr(target, "model_id", None), int):
        return [target.model_id]  # type: ignore[attr-defined]
    version = getattr(target, "version", None)
    if version is not None and isinstance(getattr(version, "model_id", None), int):
        return [version.model_id]
    versions = getattr(target, "versions", None)
    if isinstance(versions, models.Manager):
        return sorted(set(versions.values_list("model_id", flat=True)))
    return []


def outbox_announce(event: Event, target: models.Model) -> OutboxMessage | None:
    """Write the announcement of `event` and one pending delivery per active subscriber of its
    type, in the caller's transaction (event_record's); queue them once it commits."""
    event_type = announced_type(event)
    if event_type is None:
        return None
    message = OutboxMessage.objects.create(
        webhook_id=OutboxMessage.new_webhook_id(),
        event=event,
        event_type=event_type,
        payload=message_payload(event, event_type),
        model_ids=models_of(target),
        created_at=event.occurred_at,
    )
    now = timezone.now()
    endpoints = [
        e for e in WebhookEndpoint.objects.filter(active=True) if event_type in e.event_types
    ]
    subscriptions = [
        s for s in EmailSubscription.objects.filter(active=True) if event_type in s.event_types
    ]
    deliveries = Delivery.objects.bulk_create(
        [Delivery(message=message, endpoint=e, next_attempt_at=now) for e in endpoints]
        + [Delivery(message=message, subscription=s, next_attempt_at=now) for s in subscriptions]
    )
    ids = [delivery.pk for delivery in deliveries]
    if ids:
        transaction.on_commit(lambda: deliveries_enqueue(ids))
    return message


def deliveries_enqueue(ids: list[int]) -> None:
    """Send each delivery to a worker. A broker that is down loses nothing: the rows are
    committed and due, and the sweep (governance.tasks.deliveries_sweep) sends them later."""
    from governance.tasks import delivery_send  # the tasks import the services that import this

    for pk in ids:
        try:
            delivery_send.delay(pk)
        except (BrokerUnavailable, OSError):  # committed and due: the sweep sends it later
            logger.warning("delivery #%s not queued (broker away); the sweep will send it", pk)


@dataclass(frozen=True)
class OutboxBacklog:
    """How far the outbox is behind: deliveries waiting and given up, and how long the oldest
    waiting one's message has waited (0 when none waits)."""

    pending: int
    dead: int
    oldest_pending_seconds: float


def outbox_backlog() -> OutboxBacklog:
    """The outbox's backlog now, in two queries (read at every metrics scrape)."""
    counts = Delivery.objects.aggregate(
        pending=Count("pk", filter=Q(status=DeliveryStatus.PENDING)),
        dead=Count("pk", filter=Q(status=DeliveryStatus.DEAD)),
    )
    oldest = (
        Delivery.objects.filter(status=DeliveryStatus.PENDING)
        .aggregate(oldest=Min("message__created_at"))
        .get("oldest")
    )
    age = max(0.0, (timezone.now() - oldest).total_seconds()) if oldest else 0.0
    return OutboxBacklog(pending=counts["pending"], dead=counts["dead"], oldest_pending_seconds=age)

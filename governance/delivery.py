"""Sending the outbox: one attempt of one delivery (a signed webhook or an e-mail), its log,
retries with doubling backoff, the dead letter after WARDEN_DELIVERY_MAX_ATTEMPTS, and
redelivery. At least once: an attempt is claimed by a lease, so a worker that dies mid-send
leaves the delivery due again, and the receiver drops the repeat by its stable `webhook-id`."""

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from governance.errors import Conflict
from governance.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    EmailAudience,
    EventVerb,
    MLModel,
    OutboxEventType,
    User,
)
from governance.notifications import risk_officers
from governance.outbox import deliveries_enqueue
from governance.permissions import require_manage_notifications
from governance.trail import event_record, snapshot
from governance.webhooks import AttemptResult, slack_body, webhook_post

DELIVERY_FIELDS = ["status", "attempts", "next_attempt_at", "delivered_at", "last_error"]
LEASE_MARGIN = timedelta(seconds=30)  # beyond the send timeout, before a claim counts as lost
EARLY = timedelta(seconds=1)  # a retry's task may wake a moment before the row says it is due


@dataclass(frozen=True)
class DeliveryOutcome:
    """What an attempt came to, for the task: `retry_in` seconds when it should run again."""

    status: str
    retry_in: float | None = None


def backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: WARDEN_DELIVERY_BACKOFF_SECONDS * 2**(n-1)."""
    return timedelta(seconds=settings.WARDEN_DELIVERY_BACKOFF_SECONDS * 2 ** (attempts - 1))


def delivery_attempt(*, delivery_id: int) -> DeliveryOutcome:
    """Claim the delivery if it is pending and due, send it once and log the attempt; then it is
    delivered, scheduled again, or dead-lettered. A delivery not due is skipped (a repeat)."""
    claimed = _claim(delivery_id)
    if claimed is None:
        return DeliveryOutcome("skipped")
    result = _send(claimed)
    return _settle(claimed, result)


def _claim(delivery_id: int) -> Delivery | None:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("message", "endpoint", "subscription")
            .filter(pk=delivery_id)
            .first()
        )
        now = timezone.now()
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        if delivery.next_attempt_at > now + EARLY:
            return None
        delivery.attempts += 1
        lease = timedelta(seconds=settings.WARDEN_WEBHOOK_TIMEOUT_SECONDS) + LEASE_MARGIN
        delivery.next_attempt_at = now + lease
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery


def _send(delivery: Delivery) -> AttemptResult:
    message = delivery.message
    if delivery.endpoint is not None:
        endpoint = delivery.endpoint
        body = slack_body(message.payload) if endpoint.slack_format else message.payload
        return webhook_post(endpoint.url, endpoint.secret, message.webhook_id, body)
    assert delivery.subscription is not None  # the check constraint: one subscriber or other
    return _email(delivery.subscription.audience, message.payload, message.model_ids)


def _email(audience: str, payload: dict, model_ids: list[int]) -> AttemptResult:
    """One plain-text message to the audience through Django's e-mail backend."""
    if audience == EmailAudience.OWNER:
        people = [m.owner for m in MLModel.objects.filter(pk__in=model_ids).select_related("owner")]
    else:
        people = risk_officers()
    addresses = sorted({person.email for person in people if person.email and person.is_active})
    if not addresses:
        return AttemptResult(True, None, 0, "no recipient has an e-mail address")
    data = payload["data"]
    subject = f"[Warden] {OutboxEventType(payload['type']).label}: {data['target_repr']}"
    body = (
        f"{data['target_repr']}\nBy {data['actor_name']} at {payload['timestamp']} "
        f"(trail #{data['seq']}).\n\n{data['note']}"
    ).strip()
    started = time.monotonic()
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses)
    except OSError as error:  # SMTP and socket errors
        return AttemptResult(False, None, _ms(started), f"{type(error).__name__}: {error}")
    return AttemptResult(True, None, _ms(started))


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _settle(claimed: Delivery, result: AttemptResult) -> DeliveryOutcome:
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=claimed.pk)
        now = timezone.now()
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=claimed.attempts,
            attempted_at=now,
            succeeded=result.succeeded,
            status_code=result.status_code,
            latency_ms=result.latency_ms,
            error=result.error[:2000],
        )
        if result.succeeded:
            delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
            delivery.last_error = result.error
            delivery.save(update_fields=["status", "delivered_at", "last_error"])
            return DeliveryOutcome("delivered")
        if delivery.status != DeliveryStatus.PENDING or delivery.attempts != claimed.attempts:
            return DeliveryOutcome("superseded")  # delivered or retried elsewhere meanwhile
        before = snapshot(delivery, DELIVERY_FIELDS)
        delivery.last_error = result.error[:2000]
        if delivery.attempts >= settings.WARDEN_DELIVERY_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.DEAD
            delivery.save(update_fields=["status", "last_error"])
            event_record(
                actor=None,
                verb=EventVerb.DELIVERY_DEAD_LETTERED,
                target=delivery,
                before=before,
                after=snapshot(delivery, DELIVERY_FIELDS),
                note=delivery.last_error,
            )
            return DeliveryOutcome("dead")
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save(update_fields=["next_attempt_at", "last_error"])
    return DeliveryOutcome("retry", _seconds_until(delivery.next_attempt_at))


def _seconds_until(moment: datetime) -> float:
    return max(0.0, (moment - timezone.now()).total_seconds())


def delivery_redeliver(*, actor: User, delivery: Delivery) -> Delivery:
    """Send a delivery again from a fresh round of attempts (a dead letter, or a delivered
    message the receiver lost); same `webhook-id`, so a receiver that has it drops it."""
    require_manage_notifications(actor)
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if delivery.status == DeliveryStatus.PENDING:
            raise Conflict("this delivery is still being tried; wait for it to settle")
        before = snapshot(delivery, DELIVERY_FIELDS)
        delivery.status, delivery.attempts = DeliveryStatus.PENDING, 0
        delivery.next_attempt_at, delivery.delivered_at = timezone.now(), None
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "delivered_at"])
        event_record(
            actor=actor,
            verb=EventVerb.DELIVERY_REDELIVERED,
            target=delivery,
            before=before,
            after=snapshot(delivery, DELIVERY_FIELDS),
        )
        pk = delivery.pk
        transaction.on_commit(lambda: deliveries_enqueue([pk]))
    return delivery


def deliveries_due() -> list[int]:
    """Pending deliveries whose time has come: retries due and attempts whose worker died
    (their lease ran out), and any never queued because the broker was away."""
    due = Delivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
    )
    return list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:1000])

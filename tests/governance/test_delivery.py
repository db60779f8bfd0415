"""Sending the outbox in this process (eager tasks) to a real receiver on loopback: signed as
Standard Webhooks says, retried with doubling backoff, dead-lettered, redelivered with the same
webhook-id, swept after a worker died, and e-mailed through Django's locmem backend."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from governance import decisions, delivery, subscriptions
from governance.models import Delivery, DeliveryStatus, EventVerb, OutboxEventType
from tests.factories import PASSWORD, submitted_version_make

pytestmark = pytest.mark.django_db


def approve(version, officer):
    return decisions.decision_record(
        actor=officer, version=version, decision="approve", meaning="approval", password=PASSWORD
    )


def endpoint_for(receiver, actor, *, slack=False):
    made = subscriptions.webhook_endpoint_create(
        actor=actor,
        name="receiver",
        url=receiver.url,
        event_types=[OutboxEventType.VERSION_APPROVED],
        slack_format=slack,
    )
    receiver.secret = made.secret
    return made.endpoint


@pytest.fixture
def approved(cast, receiver, django_capture_on_commit_callbacks):
    """Approve a tier-3 version with the receiver subscribed; the delivery's first attempt runs."""
    endpoint_for(receiver, cast.rita)
    version = submitted_version_make(cast.erin, tier=3)
    with django_capture_on_commit_callbacks(execute=True):
        approve(version, cast.rita)
    return Delivery.objects.get()


def test_an_approval_arrives_with_a_signature_the_receiver_verifies(approved, receiver):
    (arrival,) = receiver.accepted()
    body = json.loads(arrival.body)
    assert body["type"] == "version.approved"
    assert body["data"]["verb"] == EventVerb.APPROVAL_GRANTED
    assert arrival.headers["webhook-id"] == approved.message.webhook_id
    approved.refresh_from_db()
    assert approved.status == DeliveryStatus.DELIVERED
    (attempt,) = approved.log.all()
    assert attempt.succeeded and attempt.status_code == 204 and attempt.latency_ms >= 0


def test_the_signature_is_hmac_sha256_of_id_timestamp_and_body(approved, receiver):
    (arrival,) = receiver.arrivals
    key = base64.b64decode(receiver.secret.removeprefix("whsec_"))
    signed = f"{arrival.headers['webhook-id']}.{arrival.headers['webhook-timestamp']}."
    digest = hmac.new(key, signed.encode() + arrival.body, hashlib.sha256).digest()
    assert arrival.headers["webhook-signature"] == "v1," + base64.b64encode(digest).decode()


def test_a_body_changed_on_the_way_fails_verification(approved, receiver):
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    (arrival,) = receiver.arrivals
    with pytest.raises(WebhookVerificationError):
        Webhook(receiver.secret).verify(
            arrival.body.replace(b"approved", b"rejected"), arrival.headers
        )


def test_a_receiver_that_is_down_is_retried_with_doubling_waits_then_dead_lettered(
    cast, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WARDEN_DELIVERY_MAX_ATTEMPTS, settings.WARDEN_DELIVERY_BACKOFF_SECONDS = 3, 60
    receiver.down = True
    endpoint_for(receiver, cast.rita)
    version = submitted_version_make(cast.erin, tier=3)
    with django_capture_on_commit_callbacks(execute=True):
        approve(version, cast.rita)
    pending = Delivery.objects.get()
    waits, now = [], timezone.now()
    for _ in range(2):
        waits.append(round((pending.next_attempt_at - now).total_seconds()))
        now = pending.next_attempt_at
        with time_machine.travel(now, tick=False):
            outcome = delivery.delivery_attempt(delivery_id=pending.pk)
        pending.refresh_from_db()
    assert waits == [60, 120]
    assert outcome.status == "dead" and pending.status == DeliveryStatus.DEAD
    assert [a.status_code for a in pending.log.all()] == [503, 503, 503]
    assert "503" in pending.last_error
    assert EventVerb.DELIVERY_DEAD_LETTERED in verbs_of(pending)


def verbs_of(target):
    from governance.models import Event

    return set(
        Event.objects.filter(
            target_type="governance.delivery", target_id=str(target.pk)
        ).values_list("verb", flat=True)
    )


def test_a_dead_letter_is_redelivered_with_the_same_webhook_id_once_the_receiver_is_back(
    cast, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WARDEN_DELIVERY_MAX_ATTEMPTS = 1
    receiver.down = True
    endpoint_for(receiver, cast.rita)
    with django_capture_on_commit_callbacks(execute=True):
        approve(submitted_version_make(cast.erin, tier=3), cast.rita)
    dead = Delivery.objects.get(status=DeliveryStatus.DEAD)
    receiver.down = False
    with django_capture_on_commit_callbacks(execute=True):
        delivery.delivery_redeliver(actor=cast.rita, delivery=dead)
    dead.refresh_from_db()
    assert dead.status == DeliveryStatus.DELIVERED
    assert [a.headers["webhook-id"] for a in receiver.arrivals] == [dead.message.webhook_id] * 2
    assert [a.succeeded for a in dead.log.all()] == [False, True]
    assert EventVerb.DELIVERY_REDELIVERED in verbs_of(dead)


def test_a_delivery_whose_worker_died_mid_send_is_swept_and_sent_once_its_lease_ends(
    approved, receiver
):
    Delivery.objects.filter(pk=approved.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now() + timedelta(seconds=40)
    )  # as a claim leaves it: leased, no answer recorded
    assert delivery.deliveries_due() == []
    with time_machine.travel(timezone.now() + timedelta(seconds=41)):
        assert delivery.deliveries_due() == [approved.pk]
        delivery.delivery_attempt(delivery_id=approved.pk)
    assert len(receiver.accepted()) == 2  # at least once: the receiver dedupes by webhook-id
    assert len({a.headers["webhook-id"] for a in receiver.arrivals}) == 1


def test_a_repeated_task_for_a_delivered_message_sends_nothing(approved, receiver):
    assert delivery.delivery_attempt(delivery_id=approved.pk).status == "skipped"
    assert len(receiver.arrivals) == 1


def test_a_slack_endpoint_gets_a_text_line_beside_the_standard_fields(
    cast, receiver, django_capture_on_commit_callbacks
):
    endpoint_for(receiver, cast.rita, slack=True)
    version = submitted_version_make(cast.erin, tier=3)
    with django_capture_on_commit_callbacks(execute=True):
        approve(version, cast.rita)
    body = json.loads(receiver.accepted()[0].body)
    assert body["text"].startswith("*Version approved*: ")
    assert body["type"] == "version.approved"


def test_the_owner_is_emailed_through_djangos_backend(cast, django_capture_on_commit_callbacks):
    subscriptions.email_subscription_create(
        actor=cast.rita, audience="owner", event_types=[OutboxEventType.VERSION_APPROVED]
    )
    version = submitted_version_make(cast.erin, tier=3)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approve(version, cast.rita)
    announced = [m for m in mail.outbox if m.subject.startswith("[Warden] Version approved")]
    assert [m.to for m in announced] == [["erin@warden.test"]]
    assert Delivery.objects.get().status == DeliveryStatus.DELIVERED


def test_risk_officers_are_emailed_of_a_submission(cast, django_capture_on_commit_callbacks):
    subscriptions.email_subscription_create(
        actor=cast.root, audience="risk_officers", event_types=[OutboxEventType.VERSION_SUBMITTED]
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submitted_version_make(cast.erin, tier=3)
    (sent,) = [m for m in mail.outbox if "submitted for review" in m.subject]
    assert sorted(sent.to) == ["raj@warden.test", "rita@warden.test"]

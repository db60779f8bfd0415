"""The outbox on a real Celery worker over Redis, to a receiver on loopback started here: an
approval arrives signed so the receiver verifies it with `standardwebhooks`; a receiver that is
down is retried, dead-lettered, and gets the same message on redelivery once it is back."""

import json

import pytest

from governance import decisions, subscriptions
from governance.models import Delivery, DeliveryStatus, OutboxEventType
from tests.factories import PASSWORD, submitted_version_make
from tests.workers import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
WORKER_ENV = {
    "WARDEN_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    "WARDEN_DELIVERY_BACKOFF_SECONDS": "1",
    "WARDEN_DELIVERY_MAX_ATTEMPTS": "3",
}


@pytest.fixture
def submitted(cast, receiver, media_root):
    """A submitted tier-3 version and the receiver subscribed to approvals (made before the
    worker starts, so the audit it ran here is not run again there)."""
    made = subscriptions.webhook_endpoint_create(
        actor=cast.rita,
        name="receiver",
        url=receiver.url,
        event_types=[OutboxEventType.VERSION_APPROVED],
    )
    receiver.secret = made.secret
    return submitted_version_make(cast.erin, tier=3)


def approve(version, officer):
    decisions.decision_record(
        actor=officer, version=version, decision="approve", meaning="approval", password=PASSWORD
    )


def test_an_approval_arrives_on_the_receiver_signed_and_verified(
    submitted, workers, cast, receiver
):
    workers.start("hooks", concurrency=2, **WORKER_ENV)
    approve(submitted, cast.rita)
    (arrival,) = wait_for(receiver.accepted, timeout=60, what="the signed webhook")
    assert json.loads(arrival.body)["data"]["target_id"] == str(submitted.pk)
    delivery = wait_for(
        lambda: Delivery.objects.filter(status=DeliveryStatus.DELIVERED).first(),
        timeout=30,
        what="the delivery to be logged as delivered",
    )
    assert arrival.headers["webhook-id"] == delivery.message.webhook_id
    assert [(a.succeeded, a.status_code) for a in delivery.log.all()] == [(True, 204)]


def test_a_receiver_that_is_down_is_retried_dead_lettered_and_redelivered_when_back(
    submitted, workers, cast, receiver, api
):
    receiver.down = True
    workers.start("hooks", concurrency=2, **WORKER_ENV)
    approve(submitted, cast.rita)
    dead = wait_for(
        lambda: Delivery.objects.filter(status=DeliveryStatus.DEAD).first(),
        timeout=90,
        what="the delivery to be dead-lettered after 3 attempts",
    )
    assert [a.status_code for a in dead.log.all()] == [503, 503, 503]
    assert len(receiver.arrivals) == 3 and not receiver.accepted()
    receiver.down = False
    answer = api.as_user(cast.rita).post(f"/api/deliveries/{dead.pk}/redeliver/")
    assert answer.status_code == 202
    (arrival,) = wait_for(receiver.accepted, timeout=60, what="the redelivered webhook")
    assert arrival.headers["webhook-id"] == dead.message.webhook_id
    wait_for(
        lambda: Delivery.objects.filter(pk=dead.pk, status=DeliveryStatus.DELIVERED).exists(),
        timeout=30,
        what="the redelivery to be logged",
    )

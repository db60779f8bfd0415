"""The monitoring journey through the API with a real worker and a receiver on loopback: three
batches of rising drift give rising PSI in the history, the third crosses tier 1's fail, an
incident is drafted, and the monitor alert arrives signed so the receiver verifies it with
`standardwebhooks`; a receiver that is down is retried, dead-lettered, and nothing is lost."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from audits.models import MonitorBatch
from audits.monitoring.alerts import incidents_of
from audits.services.evaluation_sets import evaluation_set_upload
from governance import subscriptions
from governance.models import Delivery, DeliveryStatus, IncidentCategory, OutboxEventType
from tests.audits.conftest import COMPAS_MAPPING
from tests.audits.monitor_support import (
    BATCH_MAPPING,
    REFERENCE_ROWS,
    SHIFTS,
    batch_frame,
    csv_file,
)
from tests.factories import tiered_model_make, version_make
from tests.workers import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
WORKER_ENV = {
    "WARDEN_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    "WARDEN_DELIVERY_BACKOFF_SECONDS": "1",
    "WARDEN_DELIVERY_MAX_ATTEMPTS": "3",
}


@pytest.fixture
def journey(cast, receiver, media_root, compas_frame):
    """erin's tier-1 COMPAS version with its reference set, and the receiver subscribed to
    monitor alerts (made before the worker starts)."""
    made = subscriptions.webhook_endpoint_create(
        actor=cast.rita, name="receiver", url=receiver.url,
        event_types=[OutboxEventType.MONITOR_ALERT],
    )  # fmt: skip
    receiver.secret = made.secret
    version = version_make(tiered_model_make(cast.erin, tier=1, slug="recidivism"), cast.erin)
    reference = evaluation_set_upload(
        actor=cast.erin,
        version=version,
        file=csv_file(compas_frame.iloc[:REFERENCE_ROWS], "reference.csv"),
        mapping=COMPAS_MAPPING,
        role="reference",
    )
    return version, reference


def monitor_made(api, cast, reference) -> int:
    answer = api.as_user(cast.erin).post(
        "/api/models/recidivism/versions/1.0.0/monitors/",
        {"reference_set": reference.pk, "batch_mapping": BATCH_MAPPING},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    return answer.json()["id"]


def push(api, cast, monitor_id, frame, when) -> int:
    answer = api.as_user(cast.erin).post(
        f"/api/monitors/{monitor_id}/batches/",
        {"file": csv_file(frame, "batch.csv"), "batch_time": when.isoformat()},
        format="multipart",
    )
    assert answer.status_code == 201, answer.content
    batch_id = answer.json()["id"]
    wait_for(
        lambda: MonitorBatch.objects.filter(pk=batch_id, measured_at__isnull=False).exists(),
        timeout=180,
        what=f"batch #{batch_id} to be audited and measured by the worker",
    )
    return batch_id


def test_rising_drift_crosses_fail_drafts_an_incident_and_the_alert_arrives_verified(
    journey, workers, cast, receiver, api, compas_frame
):
    version, reference = journey
    workers.start("monitor", concurrency=2, **WORKER_ENV)
    monitor_id = monitor_made(api, cast, reference)
    start = timezone.now() - timedelta(days=3)
    for index, shift in enumerate(SHIFTS):
        push(
            api,
            cast,
            monitor_id,
            batch_frame(compas_frame, index, shift),
            start + timedelta(days=index),
        )

    history = api.as_user(cast.ada).get(
        f"/api/monitors/{monitor_id}/history/?metric=drift.feature_psi&subject=age"
    )
    assert history.status_code == 200
    age = [point["value"] for point in history.json()]
    assert len(age) == 3 and age[0] < age[1] < age[2]
    shares = api.as_user(cast.ada).get(
        f"/api/monitors/{monitor_id}/history/?metric=drift.drift_share"
    )
    values = [point["value"] for point in shares.json()]
    assert values[0] <= 0.1 < values[1] <= 0.3 < values[2]  # tier 1: warn 0.1, fail 0.3

    (incident,) = incidents_of(monitor_id)
    assert incident.category == IncidentCategory.DRIFT and incident.owner == cast.rita
    assert list(incident.versions.all()) == [version]
    third = MonitorBatch.objects.order_by("batch_time").last()
    assert f"Batch #{third.pk}" in incident.description
    assert third.run.result_sha256 in incident.description

    (arrival,) = wait_for(receiver.accepted, timeout=60, what="the signed monitor alert")
    payload = json.loads(arrival.body)
    assert payload["type"] == "monitor.alert"
    assert payload["data"]["target_id"] == str(monitor_id)
    assert payload["data"]["after"]["batch"] == third.pk
    breaches = {b["metric"]: b for b in payload["data"]["after"]["breaches"]}
    assert breaches["drift.drift_share"]["severity"] == "fail", breaches


def test_an_alert_to_a_receiver_that_is_down_is_retried_dead_lettered_and_kept(
    journey, workers, cast, receiver, api, compas_frame
):
    _, reference = journey
    receiver.down = True
    workers.start("monitor", concurrency=2, **WORKER_ENV)
    monitor_id = monitor_made(api, cast, reference)
    push(api, cast, monitor_id, batch_frame(compas_frame, 2, SHIFTS[2]), timezone.now())
    dead = wait_for(
        lambda: Delivery.objects.filter(status=DeliveryStatus.DEAD).first(),
        timeout=120,
        what="the alert's delivery to be dead-lettered after 3 attempts",
    )
    assert [a.status_code for a in dead.log.all()] == [503, 503, 503]
    assert dead.message.event_type == OutboxEventType.MONITOR_ALERT
    receiver.down = False
    answer = api.as_user(cast.rita).post(f"/api/deliveries/{dead.pk}/redeliver/")
    assert answer.status_code == 202
    (arrival,) = wait_for(receiver.accepted, timeout=60, what="the redelivered alert")
    assert arrival.headers["webhook-id"] == dead.message.webhook_id

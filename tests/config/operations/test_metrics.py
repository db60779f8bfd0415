"""`/metrics`: who may read it, and that it counts what it says: requests by view, gate answers
by reason kind, audit durations from the database, the Celery queue's depth from a real Redis,
and the outbox's backlog."""

from datetime import timedelta

import pytest
from django.utils import timezone
from kombu import Connection
from prometheus_client.parser import text_string_to_metric_families

from audits.models import AuditRun, RunStatus
from governance import decisions, subscriptions
from governance.models import Delivery, OutboxEventType, OutboxMessage
from tests.factories import PASSWORD, audit_make, submitted_version_make
from tests.workers import REDIS_URL, redis_answers

pytestmark = pytest.mark.django_db
TOKEN = "s3cret-scrape-token"


def scrape(client, **headers) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of one scrape, keyed by name and sorted labels."""
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def sample(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def ask_gate(api, user, version):
    query = f"?model={version.model.slug}&version={version.version}&environment=prod"
    return api.as_user(user).get(f"/api/gate/{query}")


def test_a_remote_caller_without_a_token_is_refused(client):
    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 403
    assert b"WARDEN_METRICS_TOKEN" in response.content


def test_a_loopback_caller_behind_a_proxy_is_refused(client):
    response = client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 403


def test_with_a_token_set_only_the_token_opens_it(client, settings):
    settings.WARDEN_METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 403  # loopback is not enough any more
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    remote = {"REMOTE_ADDR": "10.1.2.3", "HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
    assert client.get("/metrics", **remote).status_code == 200


def test_requests_are_counted_by_view_method_and_status(client):
    before = scrape(client)
    client.get("/healthz")
    client.get("/healthz")
    client.post("/healthz")
    client.get("/no/such/page/")
    after = scrape(client)
    ok = {"view": "healthz", "method": "GET", "status": "200"}
    refused = {"view": "healthz", "method": "POST", "status": "405"}
    lost = {"view": "<unresolved>", "method": "GET", "status": "404"}
    for labels, count in ((ok, 2), (refused, 1), (lost, 1)):
        name = "warden_http_requests_total"
        assert sample(after, name, **labels) - sample(before, name, **labels) == count
    timed = {"view": "healthz", "method": "GET"}
    name = "warden_http_request_duration_seconds_count"
    assert sample(after, name, **timed) - sample(before, name, **timed) == 2


def test_no_series_names_a_models_slug(client, cast, api):
    version = submitted_version_make(cast.erin, 3)
    api.as_user(cast.erin).get(f"/api/models/{version.model.slug}/")
    assert version.model.slug not in client.get("/metrics").content.decode()


def test_gate_answers_are_counted_by_decision_and_reason_kind(client, cast, api):
    version = submitted_version_make(cast.erin, 3)
    before = scrape(client)
    assert ask_gate(api, cast.erin, version).data["allowed"] is False
    decisions.decision_record(
        actor=cast.rita, version=version, decision="approve", meaning="approval", password=PASSWORD
    )
    assert ask_gate(api, cast.erin, version).data["allowed"] is True
    after = scrape(client)

    def grew(name, **labels):
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert grew("warden_gate_decisions_total", decision="refused") == 1
    assert grew("warden_gate_decisions_total", decision="allowed") == 1
    assert grew("warden_gate_refusals_total", reason="not_approved") == 1


def test_audit_durations_come_from_the_database(client, cast, media_root):
    version = submitted_version_make(cast.erin, 3)
    run = audit_make(version, cast.erin)
    started = timezone.now() - timedelta(hours=1)
    AuditRun.objects.filter(pk=run.pk).update(
        started_at=started, finished_at=started + timedelta(seconds=42)
    )
    samples = scrape(client)
    completed = {"status": RunStatus.COMPLETED.value}
    assert (
        sample(samples, "warden_audit_runs", **completed)
        == AuditRun.objects.filter(status=RunStatus.COMPLETED).count()
    )
    assert sample(samples, "warden_audit_runs", status=RunStatus.QUEUED.value) == 0
    runs = AuditRun.objects.filter(status=RunStatus.COMPLETED).count()
    bucket = "warden_audit_duration_seconds_bucket"
    assert sample(samples, bucket, le="60.0", **completed) == runs
    assert sample(samples, bucket, le="30.0", **completed) == runs - 1
    assert sample(samples, "warden_audit_duration_seconds_count", **completed) == runs
    assert sample(samples, "warden_audit_duration_seconds_sum", **completed) >= 42


def test_the_outbox_backlog_counts_pending_and_dead_and_the_oldest_wait(client, cast, settings):
    settings.WARDEN_WEBHOOK_ALLOWED_HOSTS = ["hooks.example.org"]
    subscriptions.webhook_endpoint_create(
        actor=cast.root,
        name="siem",
        url="https://hooks.example.org/warden",
        event_types=[OutboxEventType.VERSION_SUBMITTED],
    )
    submitted_version_make(cast.erin, 3)
    submitted_version_make(cast.eli, 3, slug="second-model")
    first, second = Delivery.objects.order_by("pk")
    Delivery.objects.filter(pk=second.pk).update(status="dead")
    OutboxMessage.objects.filter(pk=first.message_id).update(
        created_at=timezone.now() - timedelta(minutes=10)
    )
    samples = scrape(client)
    assert sample(samples, "warden_outbox_deliveries", status="pending") == 1
    assert sample(samples, "warden_outbox_deliveries", status="dead") == 1
    assert 600 <= sample(samples, "warden_outbox_oldest_pending_seconds") < 660


@pytest.mark.redis
def test_the_queue_depth_is_read_from_the_broker(client, settings):
    if not redis_answers():
        pytest.skip("needs Redis answering on 127.0.0.1:6379 (make test starts it in CI)")
    queue = f"warden-test-depth-{id(settings)}"
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    with Connection(REDIS_URL) as connection:
        connection.default_channel.queue_purge(queue)
        producer = connection.Producer()
        for number in range(3):
            producer.publish(
                {"n": number}, routing_key=queue, declare=[connection.SimpleQueue(queue).queue]
            )
        try:
            samples = scrape(client)
        finally:
            connection.default_channel.queue_purge(queue)
    assert sample(samples, "warden_broker_up") == 1
    assert sample(samples, "warden_celery_queue_depth", queue=queue) == 3


def test_a_broker_that_does_not_answer_is_reported_not_raised(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    samples = scrape(client)
    assert sample(samples, "warden_broker_up") == 0
    assert not any(name == "warden_celery_queue_depth" for name, _ in samples)

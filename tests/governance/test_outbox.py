"""The transactional outbox: which events are announced, written with the event or not at all,
and fanned out to the subscribers of their type."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from audits.services import evaluation_sets, monitors
from audits.tasks import audit_run_plan
from governance import decisions, subscriptions
from governance.models import (
    Delivery,
    EventVerb,
    OutboxEventType,
    OutboxMessage,
)
from governance.outbox import ANNOUNCED
from tests.factories import (
    PASSWORD,
    classifier_csv,
    submitted_version_make,
    tiered_model_make,
    version_make,
)

pytestmark = pytest.mark.django_db


def approve(version, officer):
    return decisions.decision_record(
        actor=officer, version=version, decision="approve", meaning="approval", password=PASSWORD
    )


def hook(actor, *types, url="https://hooks.example.org/warden"):
    return subscriptions.webhook_endpoint_create(
        actor=actor, name="siem", url=url, event_types=types
    ).endpoint


@pytest.fixture(autouse=True)
def allowed(settings):
    settings.WARDEN_WEBHOOK_ALLOWED_HOSTS = ["hooks.example.org"]


def test_an_approval_writes_one_message_beside_its_event(cast):
    version = submitted_version_make(cast.erin, tier=3)
    approve(version, cast.rita)
    message = OutboxMessage.objects.get(event_type=OutboxEventType.VERSION_APPROVED)
    assert message.event.verb == EventVerb.APPROVAL_GRANTED
    assert message.payload["data"]["seq"] == message.event.seq
    assert message.payload["data"]["after"]["status"] == "approved"
    assert message.model_ids == [version.model_id]
    assert message.webhook_id.startswith("msg_")


def test_a_rolled_back_approval_writes_no_message(cast):
    version = submitted_version_make(cast.erin, tier=3)
    hook(cast.rita, OutboxEventType.VERSION_APPROVED)
    with pytest.raises(RuntimeError), transaction.atomic():
        approve(version, cast.rita)
        assert OutboxMessage.objects.filter(event_type="version.approved").exists()
        raise RuntimeError("the request failed after the approval")
    assert not OutboxMessage.objects.filter(event_type="version.approved").exists()
    assert not Delivery.objects.exists()


def test_the_first_of_a_tier_1_versions_two_approvals_announces_nothing(cast):
    version = submitted_version_make(cast.erin, tier=1)
    approve(version, cast.rita)
    assert not OutboxMessage.objects.filter(event_type="version.approved").exists()
    approve(version, cast.raj)
    assert OutboxMessage.objects.filter(event_type="version.approved").count() == 1


def test_a_message_is_delivered_only_to_subscribers_of_its_type(cast):
    approvals = hook(cast.rita, OutboxEventType.VERSION_APPROVED)
    hook(cast.rita, OutboxEventType.INCIDENT_REPORTED)
    submitted = hook(cast.rita, OutboxEventType.VERSION_SUBMITTED, OutboxEventType.VERSION_APPROVED)
    approve(submitted_version_make(cast.erin, tier=3), cast.rita)
    message = OutboxMessage.objects.get(event_type="version.approved")
    assert {d.endpoint_id for d in message.deliveries.all()} == {approvals.pk, submitted.pk}


def test_an_inactive_endpoint_receives_nothing(cast):
    endpoint = hook(cast.rita, OutboxEventType.VERSION_SUBMITTED)
    subscriptions.webhook_endpoint_update(actor=cast.rita, endpoint=endpoint, active=False)
    submitted_version_make(cast.erin, tier=3)
    assert not Delivery.objects.exists()


def test_every_announced_verb_is_a_verb_and_finding_overdue_awaits_its_verb():
    assert set(ANNOUNCED) <= set(EventVerb.values)
    assert OutboxEventType.FINDING_OVERDUE not in ANNOUNCED.values()


def test_a_failing_monitoring_audit_announces_a_monitor_alert(cast, media_root):
    version = version_make(tiered_model_make(cast.erin, 3), cast.erin)
    mapping = {"label": "label", "prediction": "predicted", "score": "score", "features": ["x"]}
    sets = [
        evaluation_sets.evaluation_set_upload(
            actor=cast.erin,
            version=version,
            role=role,
            mapping=mapping,
            file=SimpleUploadedFile(f"{role}.csv", classifier_csv(accurate=False, seed=seed)),
        )
        for role, seed in (("current", 3), ("reference", 4))
    ]
    monitor = monitors.monitor_create(
        actor=cast.erin,
        version=version,
        evaluation_set=sets[0],
        reference_set=sets[1],
        every_hours=24,
    )
    run = monitors.monitor_run(monitor_id=monitor.pk)
    audit_run_plan.apply(args=[run.pk])
    alert = OutboxMessage.objects.get(event_type=OutboxEventType.MONITOR_ALERT)
    assert alert.event.target_id == str(monitor.pk)
    assert "performance" in alert.payload["data"]["after"]["failed_checks"]
    assert alert.model_ids == [version.model_id]

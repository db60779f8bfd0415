"""The batch-monitor API and its rules: history as JSON and CSV for readers, bad queries and
mappings a 400 naming the field, pulls only from WARDEN_MONITOR_PULL_ALLOWLIST, and alerts
after the policy's consecutive warnings."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from audits.battery import Policy
from audits.battery.policy import POLICY
from audits.models import MonitorBatch
from audits.monitoring.alerts import incidents_of
from audits.monitoring.batches import (
    batch_monitor_create,
    monitor_batch_pull,
    monitor_batch_receive,
)
from governance.errors import InvalidInput
from governance.models import Event, EventVerb
from tests.audits import monitor_support
from tests.audits.monitor_support import BATCH_MAPPING, batch_frame, csv_file

pytestmark = pytest.mark.django_db
monitored = monitor_support.monitored


@pytest.fixture
def measured(monitored, cast, compas_frame, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        monitor_batch_receive(
            actor=cast.erin, monitor=monitored, file=csv_file(batch_frame(compas_frame, 0), "b.csv")
        )
    return monitored


def test_an_auditor_reads_the_history_as_json_and_csv(measured, api, cast):
    url = f"/api/monitors/{measured.pk}/history"
    points = api.as_user(cast.ada).get(f"{url}/?metric=drift.feature_psi").json()
    assert {p["subject"] for p in points} == set(BATCH_MAPPING["features"])
    answer = api.as_user(cast.ada).get(f"{url}.csv?metric=drift.feature_psi")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[0] == ["batch", "batch_time", "metric", "subject", "value", "low", "high", "kind"]
    assert len(rows) == 1 + len(points)


def test_the_history_filters_by_time(measured, api, cast):
    later = (timezone.now() + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    answer = api.as_user(cast.ada).get(f"/api/monitors/{measured.pk}/history/", {"since": later})
    assert answer.status_code == 200 and answer.json() == []


def test_the_history_is_not_read_anonymously(measured, api):
    assert api.as_user(None).get(f"/api/monitors/{measured.pk}/history/").status_code == 401


@pytest.mark.parametrize(
    ("query", "field"), [({"since": "yesterday"}, "since"), ({"kind": "guessed"}, "kind")]
)
def test_a_bad_history_query_is_a_400_naming_the_field(measured, api, cast, query, field):
    answer = api.as_user(cast.ada).get(f"/api/monitors/{measured.pk}/history/", query)
    assert answer.status_code == 400 and field in answer.json()


def test_an_unknown_monitor_is_a_404_naming_it(db, api, cast):
    answer = api.as_user(cast.ada).get("/api/monitors/999/history/")
    assert answer.status_code == 404 and "999" in str(answer.json())


def test_a_batch_monitor_with_a_bad_mapping_is_a_400_naming_the_field(monitored, api, cast):
    answer = api.as_user(cast.erin).post(
        "/api/models/recidivism/versions/1.0.0/monitors/",
        {
            "reference_set": monitored.reference_set_id,
            "batch_mapping": {"prediction": "x", "features": ["age"]},
        },
        format="json",
    )
    assert answer.status_code == 400 and "mapping.row_id" in str(answer.json())


def test_a_pull_source_off_the_allow_list_is_refused(monitored, cast, settings):
    settings.WARDEN_MONITOR_PULL_ALLOWLIST = ["storage:monitor-inbox/"]
    for source in ("storage:elsewhere/b.csv", "storage:monitor-inbox/../secrets/b.csv",
                   "https://evil.example/b.csv", "storage:monitor-inbox/"):  # fmt: skip
        with pytest.raises(InvalidInput) as refused:
            batch_monitor_create(
                actor=cast.erin,
                version=monitored.version,
                reference_set=monitored.reference_set,
                mapping=BATCH_MAPPING,
                pull_from=source,
            )
        assert refused.value.field == "pull_from", source


def test_a_batch_is_pulled_from_an_allow_listed_storage_path_once_per_file(
    either_storage, monitored, cast, compas_frame, settings, django_capture_on_commit_callbacks
):
    settings.WARDEN_MONITOR_PULL_ALLOWLIST = ["storage:monitor-inbox/"]
    content = batch_frame(compas_frame, 0).to_csv(index=False).encode()
    default_storage.save("monitor-inbox/today.csv", ContentFile(content))
    pulling = batch_monitor_create(
        actor=cast.erin,
        version=monitored.version,
        reference_set=monitored.reference_set,
        mapping=BATCH_MAPPING,
        pull_from="storage:monitor-inbox/today.csv",
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = monitor_batch_pull(monitor_id=pulling.pk)
    assert first is not None and first.evaluation_set.rows == 1300
    assert monitor_batch_pull(monitor_id=pulling.pk) is None  # the same file again
    assert MonitorBatch.objects.filter(monitor=pulling).count() == 1


def test_warnings_in_the_policys_consecutive_batches_alert_without_an_incident(
    monitored, cast, compas_frame, django_capture_on_commit_callbacks
):
    start = timezone.now() - timedelta(days=5)
    for index in range(POLICY.monitor_alert_batches):
        frame = batch_frame(compas_frame, index, {"age": 6})
        with django_capture_on_commit_callbacks(execute=True):
            monitor_batch_receive(actor=cast.erin, monitor=monitored, file=csv_file(frame, "b.csv"),
                                  batch_time=start + timedelta(days=index))  # fmt: skip
        alerts = Event.objects.filter(verb=EventVerb.MONITOR_ALERTED, target_id=str(monitored.pk))
        assert alerts.exists() == (index == POLICY.monitor_alert_batches - 1)
    (alert,) = alerts
    (breach,) = [b for b in alert.after["breaches"] if b["metric"] == "drift.drift_share"]
    assert breach["severity"] == "warn" and breach["consecutive"] == 3
    assert incidents_of(monitored.pk) == []


def test_the_policy_carries_its_consecutive_batches_and_keeps_the_first_seed_unchanged():
    assert "monitor_alert_batches" not in POLICY.to_json()
    stricter = Policy.from_json({**POLICY.to_json(), "monitor_alert_batches": 2})
    assert stricter.monitor_alert_batches == 2
    assert Policy.from_json(stricter.to_json()) == stricter

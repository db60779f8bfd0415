"""Performance without labels: a batch of a scored classifier gets CBPE's estimated accuracy
and ROC AUC with their intervals, which cover the realised figures once labels arrive; a batch
that cannot be estimated says why."""

import copy

import pytest

from audits.battery import POLICY
from audits.battery.cbpe_reference import reference_calibration
from audits.models import MetricPoint, PointKind
from audits.monitoring.alerts import incidents_of
from audits.monitoring.batches import batch_monitor_create, monitor_batch_receive
from audits.monitoring.estimates import ESTIMATED_ACCURACY, ESTIMATED_ROC_AUC, ReferenceFit
from audits.monitoring.labels import monitor_batch_labels
from governance import rulebooks
from governance.models import Event, EventVerb
from tests.audits import monitor_support
from tests.audits.conftest import COMPAS_MAPPING
from tests.audits.monitor_support import (
    BATCH_MAPPING,
    REFERENCE_ROWS,
    batch_frame,
    csv_file,
    labels_frame,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
monitored = monitor_support.monitored


def receive(monitor, user, frame, capture):
    with capture(execute=True):
        batch = monitor_batch_receive(actor=user, monitor=monitor, file=csv_file(frame, "b.csv"))
    batch.refresh_from_db()
    return batch


def point(batch, metric, kind):
    return MetricPoint.objects.get(batch=batch, metric=metric, kind=kind, subject__isnull=True)


def test_a_scored_batch_gets_estimated_accuracy_and_roc_auc_with_their_intervals(
    monitored, cast, compas_frame, django_capture_on_commit_callbacks
):
    batch = receive(
        monitored, cast.erin, batch_frame(compas_frame, 0), django_capture_on_commit_callbacks
    )
    for metric in (ESTIMATED_ACCURACY, ESTIMATED_ROC_AUC):
        estimate = point(batch, metric, PointKind.ESTIMATED)
        assert estimate.low < estimate.value < estimate.high
    assert batch.estimate_refused == ""


def test_the_estimated_accuracy_covers_the_realised_once_labels_arrive_and_both_stay(
    monitored, cast, compas_frame, django_capture_on_commit_callbacks
):
    batch = receive(
        monitored, cast.erin, batch_frame(compas_frame, 1), django_capture_on_commit_callbacks
    )
    labels = csv_file(labels_frame(compas_frame, 1), "l.csv")
    with django_capture_on_commit_callbacks(execute=True):
        monitor_batch_labels(actor=cast.erin, batch=batch, file=labels)
    for metric in (ESTIMATED_ACCURACY, ESTIMATED_ROC_AUC):
        estimate = point(batch, metric, PointKind.ESTIMATED)
        realised = point(batch, metric, PointKind.REALISED)
        assert estimate.low <= realised.value <= estimate.high, metric


def test_the_calibration_is_fitted_on_the_reference_and_kept_on_the_monitor(
    monitored, cast, compas_frame, django_capture_on_commit_callbacks
):
    receive(monitored, cast.erin, batch_frame(compas_frame, 0), django_capture_on_commit_callbacks)
    monitored.refresh_from_db()
    kept = ReferenceFit.from_json(monitored.cbpe)
    reference = compas_frame.iloc[:REFERENCE_ROWS]
    fresh = reference_calibration(
        reference, label=COMPAS_MAPPING["label"], score=COMPAS_MAPPING["score"],
        prediction=COMPAS_MAPPING["prediction"], positive=1,
    )  # fmt: skip
    assert kept == ReferenceFit(monitored.reference_set_id, fresh)
    assert kept.calibration is not None and kept.calibration.threshold == 0.5


def test_a_monitor_without_a_score_column_says_why_its_batches_have_no_estimate(
    monitored, cast, compas_frame, django_capture_on_commit_callbacks
):
    unscored = batch_monitor_create(
        actor=cast.erin,
        version=monitored.version,
        reference_set=monitored.reference_set,
        mapping={k: v for k, v in BATCH_MAPPING.items() if k != "score"},
    )
    batch = receive(
        unscored, cast.erin, batch_frame(compas_frame, 0), django_capture_on_commit_callbacks
    )
    assert batch.measured_at is not None
    assert not MetricPoint.objects.filter(batch=batch, kind=PointKind.ESTIMATED).exists()
    assert batch.estimate_refused == "the monitor's mapping names no score column"


def test_a_batch_with_scores_outside_zero_to_one_says_why_it_has_no_estimate(
    monitored, cast, compas_frame, django_capture_on_commit_callbacks
):
    frame = batch_frame(compas_frame, 0)
    frame["risk_score"] = frame["risk_score"] * 10
    batch = receive(monitored, cast.erin, frame, django_capture_on_commit_callbacks)
    assert not MetricPoint.objects.filter(batch=batch, kind=PointKind.ESTIMATED).exists()
    assert "scores must lie in [0, 1]" in batch.estimate_refused


def test_an_alert_and_incident_on_an_estimate_say_it_is_estimated(
    monitored, cast, compas_frame, django_capture_on_commit_callbacks
):
    content = copy.deepcopy(POLICY.to_json())
    content["version"] = "2027.1.0-accuracy"
    demanding = {tier: {"warn": 1.0, "fail": 0.999} for tier in ("1", "2", "3")}
    content["rules"].append(
        {"check": "performance", "metric": "accuracy", "direction": "higher", "tiers": demanding}
    )
    proposal = rulebooks.policy_version_propose(
        actor=cast.rita, content=content, review_months={"1": 12, "2": 24, "3": 36}
    )
    rulebooks.rule_version_approve(
        actor=cast.raj, record=proposal, password=PASSWORD, meaning="approval"
    )
    batch = receive(
        monitored, cast.erin, batch_frame(compas_frame, 0), django_capture_on_commit_callbacks
    )
    assert point(batch, ESTIMATED_ACCURACY, PointKind.ESTIMATED).value < 0.999
    alert = Event.objects.filter(verb=EventVerb.MONITOR_ALERTED, target_id=str(monitored.pk)).get()
    assert alert.after["kind"] == PointKind.ESTIMATED
    assert "estimated performance.accuracy" in alert.note
    (incident,) = incidents_of(monitored.pk)
    assert incident.title.startswith(f"Monitor #{monitored.pk}: estimated performance.accuracy")
    assert "its labels have not arrived" in incident.description

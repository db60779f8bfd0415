"""Batches in: a batch monitor takes production batches through the evaluation-set intake,
audits each against the version's reference and keeps its figures as history points."""

import pytest

from audits.errors import UploadRejected
from audits.models import MetricPoint, MonitorBatch, RunStatus
from audits.monitoring.batches import batch_monitor_create, monitor_batch_receive
from governance.errors import Forbidden, InvalidInput
from governance.models import Event, EventVerb
from tests.audits import monitor_support
from tests.audits.monitor_support import (
    BATCH_MAPPING,
    SHIFTS,
    batch_frame,
    csv_file,
    parquet_file,
)

pytestmark = pytest.mark.django_db
monitored = monitor_support.monitored


def receive(monitor, user, frame, name="batch.csv", capture=None):
    with capture(execute=True):
        return monitor_batch_receive(actor=user, monitor=monitor, file=csv_file(frame, name))


def psi_of(monitor, feature):
    points = MetricPoint.objects.filter(
        monitor=monitor, metric="drift.feature_psi", subject=feature
    )
    return list(points.order_by("batch_time", "id").values_list("value", flat=True))


def test_a_pushed_batch_is_audited_against_the_reference_into_the_history(
    monitored, cast, compas_frame, django_capture_on_commit_callbacks
):
    batch = receive(
        monitored,
        cast.erin,
        batch_frame(compas_frame, 0),
        capture=django_capture_on_commit_callbacks,
    )
    batch.refresh_from_db()
    assert batch.run.status == RunStatus.COMPLETED, batch.run.error
    assert batch.measured_at is not None
    metrics = set(MetricPoint.objects.filter(batch=batch).values_list("metric", flat=True))
    assert {"volume.rows", "drift.drift_share", "drift.feature_psi", "drift.score_psi",
            "drift.prediction_psi", "data_quality.missing_cell_share"} <= metrics  # fmt: skip
    assert MetricPoint.objects.get(batch=batch, metric="volume.rows").value == 1300
    features = set(
        MetricPoint.objects.filter(batch=batch, metric="drift.feature_psi").values_list(
            "subject", flat=True
        )
    )
    assert features == set(BATCH_MAPPING["features"])
    verbs = list(
        Event.objects.filter(target_type="audits.monitorbatch").values_list("verb", flat=True)
    )
    measured = EventVerb.MONITOR_BATCH_MEASURED  # realised, then CBPE's estimated points
    assert verbs == [EventVerb.MONITOR_BATCH_RECEIVED, measured, measured]


def test_rising_drift_gives_rising_psi_in_the_history(
    monitored, cast, compas_frame, django_capture_on_commit_callbacks
):
    for index, shift in enumerate(SHIFTS):
        receive(
            monitored,
            cast.erin,
            batch_frame(compas_frame, index, shift),
            capture=django_capture_on_commit_callbacks,
        )
    age = psi_of(monitored, "age")
    assert len(age) == 3 and age[0] < 0.1 < age[1] < age[2]
    shares = list(
        MetricPoint.objects.filter(monitor=monitored, metric="drift.drift_share")
        .order_by("batch_time", "id")
        .values_list("value", flat=True)
    )
    assert shares == sorted(shares) and shares[2] > 0.3


def test_a_parquet_batch_is_taken_in_like_a_csv_one(
    monitored, cast, compas_frame, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = monitor_batch_receive(
            actor=cast.erin,
            monitor=monitored,
            file=parquet_file(batch_frame(compas_frame, 0), "batch.parquet"),
        )
    assert batch.evaluation_set.original_format == "parquet" and batch.evaluation_set.rows == 1300


def test_a_batch_with_a_repeated_row_id_is_refused_naming_it_and_leaves_nothing(
    monitored, cast, compas_frame, media_root
):
    frame = batch_frame(compas_frame, 0)
    frame.iloc[5, frame.columns.get_loc("id")] = frame["id"].iloc[4]
    with pytest.raises(InvalidInput) as refused:
        monitor_batch_receive(actor=cast.erin, monitor=monitored, file=csv_file(frame, "b.csv"))
    assert refused.value.field == "id" and str(frame["id"].iloc[4]) in str(refused.value)
    assert not MonitorBatch.objects.exists()
    assert not list((media_root / "evaluation-sets").rglob("b.csv"))


def test_a_batch_missing_a_mapped_column_is_refused_by_the_intake(monitored, cast, compas_frame):
    frame = batch_frame(compas_frame, 0).drop(columns=["priors_count"])
    with pytest.raises(UploadRejected) as refused:
        monitor_batch_receive(actor=cast.erin, monitor=monitored, file=csv_file(frame, "b.csv"))
    assert "priors_count" in str(refused.value)
    assert not MonitorBatch.objects.exists()


def test_an_engineer_of_another_team_may_not_push_a_batch(monitored, cast, compas_frame):
    with pytest.raises(Forbidden):
        monitor_batch_receive(
            actor=cast.bob, monitor=monitored, file=csv_file(batch_frame(compas_frame, 0), "b.csv")
        )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"row_id": None}, "mapping.row_id"),
        ({"prediction": ""}, "mapping.prediction"),
        ({"features": []}, "mapping.features"),
        ({"label": "x"}, "mapping.label"),
        ({"features": ["id", "age"]}, "mapping"),
    ],
)
def test_a_bad_batch_mapping_is_refused_naming_the_field(monitored, cast, change, field):
    mapping = {k: v for k, v in {**BATCH_MAPPING, **change}.items() if v is not None}
    with pytest.raises(InvalidInput) as refused:
        batch_monitor_create(
            actor=cast.erin,
            version=monitored.version,
            reference_set=monitored.reference_set,
            mapping=mapping,
        )
    assert refused.value.field == field

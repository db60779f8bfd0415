"""Labels later: a labels file joined to its batch by row id, unknown and repeated ids named in
the report, and the batch's performance, fairness and calibration added as realised points."""

import pandas as pd
import pytest

from audits.models import MetricPoint
from audits.monitoring.batches import monitor_batch_receive
from audits.monitoring.labels import join_report, monitor_batch_labels
from governance.errors import Conflict, InvalidInput
from tests.audits import monitor_support
from tests.audits.monitor_support import batch_frame, csv_file, labels_frame

pytestmark = pytest.mark.django_db
monitored = monitor_support.monitored


@pytest.fixture
def batch(monitored, cast, compas_frame, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return monitor_batch_receive(
            actor=cast.erin, monitor=monitored, file=csv_file(batch_frame(compas_frame, 0), "b.csv")
        )


def test_labels_add_realised_performance_fairness_and_calibration_to_the_history(
    batch, cast, compas_frame, django_capture_on_commit_callbacks
):
    labels = labels_frame(compas_frame, 0)
    with django_capture_on_commit_callbacks(execute=True):
        labelled = monitor_batch_labels(
            actor=cast.erin, batch=batch, file=csv_file(labels, "l.csv")
        )
    labelled.refresh_from_db()
    assert labelled.labels_report["matched"] == 1300
    assert labelled.labelled_run.status == "completed", labelled.labelled_run.error
    points = dict(
        MetricPoint.objects.filter(batch=batch, subject__isnull=True).values_list("metric", "value")
    )
    truth = compas_frame.set_index("id").loc[labels["id"]]
    accuracy = (truth["predicted_high_risk"] == truth["two_year_recid"]).mean()
    assert points["performance.accuracy"] == pytest.approx(accuracy)
    assert "fairness.demographic_parity_difference" in points
    assert "calibration.ece" in points
    assert points["volume.labelled_rows"] == 1300


def test_unknown_and_repeated_ids_are_named_and_the_rest_are_joined(
    batch, cast, compas_frame, django_capture_on_commit_callbacks
):
    labels = labels_frame(compas_frame, 0)
    extra = labels.iloc[:2].assign(id=[999_001, 999_002])
    repeated = labels.iloc[[10]]
    file = csv_file(pd.concat([labels, extra, repeated]), "l.csv")
    with django_capture_on_commit_callbacks(execute=True):
        labelled = monitor_batch_labels(actor=cast.erin, batch=batch, file=file)
    report = labelled.labels_report
    assert report["unknown_ids"]["ids"] == ["999001", "999002"]
    assert report["duplicate_ids"]["ids"] == [str(labels["id"].iloc[10])]
    assert report["matched"] == 1299 and report["unlabelled_rows"] == 1
    assert labelled.labelled_set.rows == 1299


def test_labels_come_once_per_batch(batch, cast, compas_frame, django_capture_on_commit_callbacks):
    labels = labels_frame(compas_frame, 0)
    with django_capture_on_commit_callbacks(execute=True):
        monitor_batch_labels(actor=cast.erin, batch=batch, file=csv_file(labels, "l.csv"))
    batch.refresh_from_db()
    with pytest.raises(Conflict):
        monitor_batch_labels(actor=cast.erin, batch=batch, file=csv_file(labels, "l.csv"))


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"id,outcome\n1,0\n", "l.csv", "no column 'label'"),
        (b"label\n0\n", "l.csv", "no column 'id'"),
        (b"id,label\n", "l.csv", "no rows"),
        (b"id,label\n1,0\n", "l.txt", ".csv or .parquet"),
        (b"id,label\n-5,0\n", "l.csv", "no label matches"),
    ],
)
def test_a_bad_labels_file_is_refused_saying_why(batch, cast, content, name, reason):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(InvalidInput) as refused:
        monitor_batch_labels(actor=cast.erin, batch=batch, file=SimpleUploadedFile(name, content))
    assert reason in str(refused.value) and refused.value.field == "file"


def test_the_join_report_counts_each_kind_of_id():
    report = join_report(["1", "2", "3"], ["1", "1", "2", "9"], missing_labels=0)
    assert report["matched"] == 1 and report["unlabelled_rows"] == 2
    assert report["duplicate_ids"]["ids"] == ["1"] and report["unknown_ids"]["ids"] == ["9"]

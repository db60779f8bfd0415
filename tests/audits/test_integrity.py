"""Files are hashed again before a worker uses them: a model artifact or an evaluation set's
Parquet copy replaced on disk after upload errors the run with the reason, records the event
on the version, and the gate refuses the version saying so."""

import pandas as pd
import pytest

from audits.models import AuditRun, RunStatus
from audits.services import evaluation_sets, runs
from governance.gate import gate_reasons, gate_versions
from governance.models import Event
from tests.audits.conftest import COMPAS_MAPPING, csv_upload, parquet_bytes
from tests.factories import skops_model_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def compas_set(cast, version, compas_csv):
    return evaluation_sets.evaluation_set_upload(
        actor=cast.erin,
        version=version,
        file=csv_upload(compas_csv),
        mapping=COMPAS_MAPPING,
        role="current",
    )


def run_after(replace, cast, version, compas_set, capture, *, with_model: bool) -> AuditRun:
    """Request an audit, replace a file before any worker takes the run, then let it run."""
    with capture(execute=False) as queued:
        run = runs.audit_run_request(
            actor=cast.erin, version=version, evaluation_set=compas_set, with_model=with_model
        )
    replace()
    for callback in queued:
        callback()
    return AuditRun.objects.get(pk=run.pk)


def test_a_replaced_artifact_errors_the_run_with_the_reason(
    cast, version, compas_set, django_capture_on_commit_callbacks
):
    def replace():
        with open(version.artifact.path, "wb") as handle:
            handle.write(skops_model_bytes())  # another, valid model

    run = run_after(
        replace, cast, version, compas_set, django_capture_on_commit_callbacks, with_model=True
    )
    assert run.status == RunStatus.ERRORED and run.result is None
    assert "artifact" in run.error and "no longer matches" in run.error
    assert version.artifact_sha256 in run.error


def test_a_replaced_artifact_is_recorded_on_the_version(
    cast, version, compas_set, django_capture_on_commit_callbacks
):
    def replace():
        with open(version.artifact.path, "ab") as handle:
            handle.write(b"\0")

    run = run_after(
        replace, cast, version, compas_set, django_capture_on_commit_callbacks, with_model=True
    )
    event = Event.objects.get(verb="version_integrity_failed")
    assert event.target_id == str(version.pk) and f"audit #{run.pk}" in event.note
    assert Event.objects.filter(verb="audit_errored", target_id=str(run.pk)).exists()


def test_the_gate_refuses_a_version_whose_artifact_was_replaced(
    cast, version, compas_set, django_capture_on_commit_callbacks
):
    def replace():
        version.artifact.storage.delete(version.artifact.name)

    run_after(
        replace, cast, version, compas_set, django_capture_on_commit_callbacks, with_model=True
    )
    reasons = gate_reasons(gate_versions().get(pk=version.pk))
    assert any(r.startswith("integrity:") and "missing from storage" in r for r in reasons)


def test_a_replaced_evaluation_set_copy_errors_the_run(
    cast, version, compas_set, compas_frame, django_capture_on_commit_callbacks
):
    def replace():
        fewer = pd.read_parquet(compas_set.parquet.path).head(100)
        with open(compas_set.parquet.path, "wb") as handle:
            handle.write(parquet_bytes(fewer))

    run = run_after(
        replace, cast, version, compas_set, django_capture_on_commit_callbacks, with_model=False
    )
    assert run.status == RunStatus.ERRORED
    assert (
        f"evaluation set #{compas_set.pk}" in run.error and compas_set.parquet_sha256 in run.error
    )


def test_an_untouched_run_is_not_stopped_by_the_check(
    cast, version, compas_set, django_capture_on_commit_callbacks
):
    run = run_after(
        lambda: None, cast, version, compas_set, django_capture_on_commit_callbacks,
        with_model=False,
    )  # fmt: skip
    assert run.status == RunStatus.COMPLETED
    assert not Event.objects.filter(verb="version_integrity_failed").exists()

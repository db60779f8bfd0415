"""Audit runs in one process (Celery's eager mode): requested with a 202, planned into chunks,
merged into a contract-valid document once, recovered after a worker goes quiet. The same runs
on a real worker process are in test_worker_integration.py."""

import jsonschema
import pytest
from django.utils import timezone

from audits import tasks
from audits.models import AuditRun, ChunkStats, RunStatus
from audits.services import evaluation_sets, runs
from governance.models import Event
from tests.audits.conftest import COMPAS_MAPPING, csv_upload
from tests.reports.sample import result_document

pytestmark = pytest.mark.django_db
AUDITS = "/api/models/recidivism/versions/1.0.0/audits/"


@pytest.fixture
def compas_set(cast, version, compas_csv, settings):
    """The COMPAS upload, its Parquet copy in row groups of 1,000 so runs can split it."""
    settings.WARDEN_PARQUET_ROW_GROUP_ROWS = 1000
    return evaluation_sets.evaluation_set_upload(
        actor=cast.erin,
        version=version,
        file=csv_upload(compas_csv),
        mapping=COMPAS_MAPPING,
        role="current",
    )


@pytest.fixture
def small_chunks(settings):
    settings.WARDEN_AUDIT_CHUNK_ROWS = 1000


def test_an_audit_is_accepted_with_202_and_completes(
    cast, api, compas_set, contract_schema, small_chunks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(cast.erin).post(
            AUDITS, {"evaluation_set": compas_set.pk}, format="json"
        )
    assert response.status_code == 202, response.data
    assert (response.data["status"], response.data["finished"]) == ("queued", False)
    run = api.get(f"/api/audits/{response.data['id']}/").data
    assert (run["status"], run["finished"]) == ("completed", True)
    assert run["chunks_total"] == 8  # 7,214 rows in chunks of 1,000
    jsonschema.validate(run["result"], contract_schema)
    assert run["verdict"] == run["result"]["status"]
    assert set(run["progress"]["checks"]) >= {"performance", "fairness", "calibration"}
    verbs = list(Event.objects.filter(target_type="audits.auditrun").values_list("verb", flat=True))
    assert verbs == ["audit_requested", "audit_started", "audit_completed"]
    assert not ChunkStats.objects.exists()


def test_chunked_and_whole_runs_give_the_same_document(
    cast, compas_set, settings, django_capture_on_commit_callbacks
):
    documents = []
    for rows in (1000, 1_000_000):
        settings.WARDEN_AUDIT_CHUNK_ROWS = rows
        with django_capture_on_commit_callbacks(execute=True):
            run = runs.audit_run_request(
                actor=cast.erin, version=compas_set.version, evaluation_set=compas_set
            )
        run.refresh_from_db()
        documents.append(run.result)
    assert documents[0]["result_sha256"] == documents[1]["result_sha256"]


def test_the_document_holds_no_unmapped_column(
    cast, compas_set, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.audit_run_request(
            actor=cast.erin, version=compas_set.version, evaluation_set=compas_set
        )
    run.refresh_from_db()
    quality = next(check for check in run.result["checks"] if check["id"] == "data_quality")
    assert "id" in compas_set.original.open().readline().decode()  # in the file, not mapped
    assert "id" not in quality["details"]["missing"]
    assert "id" not in run.result["dataset"]["mapping"]["features"]


def test_a_run_no_longer_queued_is_skipped(cast, compas_set, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = runs.audit_run_request(
            actor=cast.erin, version=compas_set.version, evaluation_set=compas_set
        )
    assert tasks.audit_run_plan.apply(args=[run.pk]).get() == "skipped: not claimable"
    assert Event.objects.filter(verb="audit_completed").count() == 1


def test_a_repeated_chunk_delivery_keeps_one_row(cast, compas_set, small_chunks):
    run = runs.audit_run_queue(
        actor=cast.erin, version=compas_set.version, evaluation_set=compas_set, reference_set=None
    )
    claimed = runs.audit_run_claim(run_id=run.pk, orphaned_after=60)
    spec = tasks.engine.run_spec(claimed)
    runs.audit_run_planned(run_id=run.pk, attempt=1, spec=spec, chunks_total=8)
    stats = tasks.engine.job_statistics(spec, 0)
    assert runs.chunk_stats_record(run_id=run.pk, attempt=1, index=0, stats=stats) is False
    assert runs.chunk_stats_record(run_id=run.pk, attempt=1, index=0, stats=stats) is False
    assert ChunkStats.objects.filter(run=run).count() == 1


def test_a_stale_attempt_cannot_complete_the_run(cast, compas_set):
    run = runs.audit_run_queue(
        actor=cast.erin, version=compas_set.version, evaluation_set=compas_set, reference_set=None
    )
    runs.audit_run_claim(run_id=run.pk, orphaned_after=60)
    AuditRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - timezone.timedelta(hours=1)
    )
    runs.audit_run_claim(run_id=run.pk, orphaned_after=60)  # a second worker takes over
    document = result_document()  # one that follows the contract: only the attempt is stale
    assert runs.audit_run_complete(run_id=run.pk, attempt=1, document=document) is False
    assert AuditRun.objects.get(pk=run.pk).status == RunStatus.RUNNING


def test_the_sweeper_finishes_a_run_whose_worker_went_quiet(
    cast, compas_set, small_chunks, settings
):
    run = runs.audit_run_queue(
        actor=cast.erin, version=compas_set.version, evaluation_set=compas_set, reference_set=None
    )
    claimed = runs.audit_run_claim(run_id=run.pk, orphaned_after=60)
    spec = tasks.engine.run_spec(claimed)
    runs.audit_run_planned(run_id=run.pk, attempt=1, spec=spec, chunks_total=8)
    for index in (0, 1, 2):  # the worker died after three chunks
        runs.chunk_stats_record(
            run_id=run.pk, attempt=1, index=index, stats=tasks.engine.job_statistics(spec, index)
        )
    AuditRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - timezone.timedelta(hours=1)
    )
    tasks.audit_runs_recover.apply().get()
    run.refresh_from_db()
    assert (run.status, run.attempt) == (RunStatus.COMPLETED, 1)
    assert Event.objects.filter(verb="audit_completed", target_id=str(run.pk)).count() == 1


def test_a_model_without_a_tier_cannot_be_audited(cast, api, compas_set):
    compas_set.version.model.__class__.objects.filter(pk=compas_set.version.model_id).update(
        risk_tier=None
    )
    response = api.as_user(cast.erin).post(AUDITS, {"evaluation_set": compas_set.pk}, format="json")
    assert response.status_code == 400
    assert "risk assessment" in response.data["version"][0]
    assert not AuditRun.objects.exists()


def test_an_unknown_evaluation_set_is_a_400(cast, api, compas_set):
    response = api.as_user(cast.erin).post(AUDITS, {"evaluation_set": 999}, format="json")
    assert response.status_code == 400
    assert "evaluation_set" in response.data


def test_an_auditor_cannot_start_an_audit(cast, api, compas_set):
    response = api.as_user(cast.ada).post(AUDITS, {"evaluation_set": compas_set.pk}, format="json")
    assert response.status_code == 403


def test_a_monitor_audits_drift_on_schedule_once_per_interval(
    cast, api, compas_set, compas_csv, django_capture_on_commit_callbacks
):
    reference = evaluation_sets.evaluation_set_upload(
        actor=cast.erin,
        version=compas_set.version,
        file=csv_upload(compas_csv),
        mapping=COMPAS_MAPPING,
        role="reference",
    )
    response = api.as_user(cast.erin).post(
        "/api/models/recidivism/versions/1.0.0/monitors/",
        {"evaluation_set": compas_set.pk, "reference_set": reference.pk, "every_hours": 24},
        format="json",
    )
    assert response.status_code == 201, response.data
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.monitors_run_due.apply().get() == "queued 1 monitoring audit(s)"
    run = AuditRun.objects.get()
    assert (run.status, run.requested_by, run.reference_set) == (
        RunStatus.COMPLETED,
        None,
        reference,
    )
    drift = next(check for check in run.result["checks"] if check["id"] == "drift")
    assert drift["status"] != "skipped" and drift["metrics"]["drift_share"] == 0
    assert tasks.monitors_run_due.apply().get() == "queued 0 monitoring audit(s)"


def test_a_monitor_needs_a_reference_set(cast, api, compas_set):
    response = api.as_user(cast.erin).post(
        "/api/models/recidivism/versions/1.0.0/monitors/",
        {"evaluation_set": compas_set.pk, "reference_set": compas_set.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "reference_set" in response.data


def test_a_run_is_finished_once_completed_or_errored() -> None:
    finished = {status for status in RunStatus if AuditRun(status=status).is_finished}
    assert finished == {RunStatus.COMPLETED, RunStatus.ERRORED}

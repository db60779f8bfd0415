"""Faults a registry must survive without losing or half-writing anything: a full disk during an
upload, the broker gone while people read, PostgreSQL restarted in the middle of an audit."""

import glob
import shutil
import subprocess
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from audits.models import AuditRun, EvaluationSet, RunStatus
from audits.services import evaluation_sets, runs
from governance.models import Event, ModelVersion
from tests.factories import classifier_csv, mlmodel_make, skops_model_file, version_make
from tests.workers import use_broker, use_eager, wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_disk(settings, tmp_path):
    """MEDIA_ROOT on a 1 MiB tmpfs: real ENOSPC from the kernel, not a simulated error."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.decode().strip()}")
    settings.MEDIA_ROOT = mount_point
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=False)


def files_in(folder) -> list[str]:
    return [
        path
        for path in glob.glob(f"{folder}/**", recursive=True)
        if not path.endswith("/") and not glob.os.path.isdir(path)
    ]


def test_a_full_disk_during_an_evaluation_set_upload_keeps_nothing(cast, api, full_disk):
    version_make(mlmodel_make(cast.erin, slug="alpha"), cast.erin)
    events = Event.objects.count()
    big = SimpleUploadedFile("big.csv", classifier_csv(rows=60_000))  # about 3 MB
    response = api.as_user(cast.erin).post(
        "/api/models/alpha/versions/1.0.0/evaluation-sets/",
        {"file": big, "mapping": '{"label": "label", "prediction": "predicted"}'},
        format="multipart",
    )
    assert response.status_code == 507
    assert "disk is full" in response.data["file"][0]
    assert not EvaluationSet.objects.exists()
    assert Event.objects.count() == events
    assert files_in(full_disk / "evaluation-sets") == []


def test_a_full_disk_during_an_artifact_upload_keeps_nothing(cast, api, full_disk):
    mlmodel_make(cast.erin, slug="alpha")
    artifact = skops_model_file(padding=bytes(range(256)) * 8192)  # about 2 MB, incompressible
    response = api.as_user(cast.erin).post(
        "/api/models/alpha/versions/", {"version": "1", "artifact": artifact}, format="multipart"
    )
    assert response.status_code == 507
    assert not ModelVersion.objects.exists()
    assert files_in(full_disk) == []


def test_reads_keep_working_while_the_broker_is_down(cast, api):
    mlmodel_make(cast.erin, slug="alpha")
    use_broker("redis://127.0.0.1:1/15")  # a stopped Redis
    try:
        client = api.as_user(cast.ada)
        assert client.get("/api/models/").status_code == 200
        assert client.get("/api/events/verify/").data["intact"] is True
    finally:
        use_eager()


def _postgres_restart() -> None:
    version = sorted(glob.glob("/etc/postgresql/*"))[-1].rsplit("/", 1)[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
    )
    for _ in range(60):
        if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError("PostgreSQL did not come back")


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.restarts_postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_restarted_mid_audit_the_run_still_completes_once(workers, cast, settings):
    if connection.vendor != "postgresql" or not shutil.which("pg_ctlcluster"):
        pytest.skip("needs the local PostgreSQL cluster: runs in make test's PostgreSQL pass")
    from tests.audits.conftest import parquet_bytes
    from tests.audits.test_worker_integration import SYNTHETIC_MAPPING, synthetic_set
    from tests.factories import tiered_model_make

    version = version_make(tiered_model_make(cast.erin, 3), cast.erin)
    settings.WARDEN_PARQUET_ROW_GROUP_ROWS = 50_000
    upload = evaluation_sets.evaluation_set_upload(
        actor=cast.erin,
        version=version,
        role="current",
        mapping=SYNTHETIC_MAPPING,
        file=SimpleUploadedFile("big.parquet", parquet_bytes(synthetic_set(1_000_000))),
    )
    workers.start(
        "steady",
        WARDEN_AUDIT_CHUNK_ROWS="50000",
        WARDEN_AUDIT_ORPHAN_SECONDS="5",
        WARDEN_AUDIT_RECOVER_SECONDS="2",
        beat=True,
    )
    run = runs.audit_run_request(
        actor=cast.erin, version=version, evaluation_set=upload, with_model=False
    )
    wait_for(
        lambda: AuditRun.objects.get(pk=run.pk).chunks_done >= 2,
        timeout=120,
        what="two chunks before the restart",
    )
    _postgres_restart()
    connection.close()  # this process's connection died with the server; take a new one

    def finished():
        try:
            state = AuditRun.objects.get(pk=run.pk)
        except Exception:
            connection.close()
            return None
        return state if state.status in (RunStatus.COMPLETED, RunStatus.ERRORED) else None

    state = wait_for(finished, timeout=240, every=0.5, what="the audit after the restart")
    assert state.status == RunStatus.COMPLETED, (state.error, workers.log("steady")[-3000:])
    assert Event.objects.filter(verb="audit_completed", target_id=str(run.pk)).count() == 1


def test_a_full_disk_during_the_web_uploads_first_step_answers_507_and_keeps_nothing(
    cast, client, full_disk
):
    from tests.factories import tiered_model_make

    version_make(tiered_model_make(cast.erin, 3), cast.erin)
    client.force_login(cast.erin)
    big = SimpleUploadedFile("big.csv", classifier_csv(rows=60_000))  # about 3 MB
    response = client.post(
        "/models/credit-default/versions/1.0.0/evaluation-sets/new/",
        {"file": big, "role": "current"},
    )
    assert response.status_code == 507
    assert "disk is full" in response.content.decode()
    assert files_in(full_disk / "staging") == []

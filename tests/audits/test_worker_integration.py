"""Audits on real Celery worker processes over Redis (not eager mode): progress readable while
a run works (the model checks included), a worker SIGKILLed mid-run without loss or
duplication, and a 503 when the broker is down."""

import jsonschema
import numpy as np
import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audits import battery
from audits.models import AuditRun, ChunkStats, RunStatus
from audits.services import evaluation_sets, runs
from governance.models import Event
from tests.audits.conftest import COMPAS_MAPPING, csv_upload, parquet_bytes
from tests.workers import use_broker, use_eager, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]
AUDITS = "/api/models/recidivism/versions/1.0.0/audits/"


def run_state(run_id: int) -> AuditRun:
    return AuditRun.objects.get(pk=run_id)


def test_an_audit_runs_on_a_worker_with_readable_progress(
    workers, cast, api, version, compas_csv, contract_schema, settings
):
    settings.WARDEN_PARQUET_ROW_GROUP_ROWS = 200
    upload = evaluation_sets.evaluation_set_upload(
        actor=cast.erin,
        version=version,
        file=csv_upload(compas_csv),
        mapping=COMPAS_MAPPING,
        role="current",
    )
    workers.start("solo", WARDEN_AUDIT_CHUNK_ROWS="200")
    response = api.as_user(cast.erin).post(AUDITS, {"evaluation_set": upload.pk}, format="json")
    assert response.status_code == 202
    seen = []

    def finished():
        body = api.get(f"/api/audits/{response.data['id']}/").data
        seen.append((body["status"], body["chunks_done"], body["chunks_total"]))
        return body if body["status"] in ("completed", "errored") else None

    body = wait_for(finished, timeout=120, every=0.05, what="the audit to finish")
    assert body["status"] == "completed", (body["error"], workers.log("solo")[-3000:])
    assert any(status == "running" and 0 < done < total for status, done, total in seen), seen
    assert body["chunks_total"] == 37  # 7,214 rows in chunks of 200
    jsonschema.validate(body["result"], contract_schema)
    # the worker loaded the version's artifact (skops, trusted types) and queried it
    statuses = {c["id"]: c["status"] for c in body["result"]["checks"]}
    for check in ("robustness", "adversarial", "explainability"):
        assert statuses[check] in ("pass", "warn", "fail"), body["result"]["checks"]
    assert body["result"]["model"]["sha256"] == version.artifact_sha256


def synthetic_set(rows: int, seed: int = 7) -> pd.DataFrame:
    """A binary classifier's evaluation set with two sensitive attributes and five features."""
    rng = np.random.default_rng(seed)
    score = rng.random(rows)
    return pd.DataFrame(
        {
            "label": (rng.random(rows) < score).astype(np.int8),
            "predicted": (score > 0.5).astype(np.int8),
            "score": score,
            "sex": rng.choice(["female", "male"], rows),
            "region": rng.choice(["north", "south", "east", "west", "centre"], rows),
            **{f"x{i}": rng.normal(size=rows) for i in range(5)},
        }
    )


SYNTHETIC_MAPPING = {
    "label": "label",
    "prediction": "predicted",
    "score": "score",
    "sensitive": ["sex", "region"],
}


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_nothing_and_the_run_completes_once(
    workers, cast, version, settings, contract_schema
):
    settings.WARDEN_PARQUET_ROW_GROUP_ROWS = 50_000
    content = parquet_bytes(synthetic_set(1_500_000))
    upload = evaluation_sets.evaluation_set_upload(
        actor=cast.erin,
        version=version,
        file=SimpleUploadedFile("big.parquet", content),
        mapping=SYNTHETIC_MAPPING,
        role="current",
    )
    first = workers.start("doomed", WARDEN_AUDIT_CHUNK_ROWS="50000")
    run = runs.audit_run_request(
        actor=cast.erin, version=version, evaluation_set=upload, with_model=False
    )
    wait_for(lambda: run_state(run.pk).chunks_done >= 3, timeout=120, what="three chunks")
    workers.kill(first)
    killed_at = run_state(run.pk)
    assert killed_at.status == RunStatus.RUNNING and killed_at.chunks_done < killed_at.chunks_total

    workers.start(
        "rescuer",
        beat=True,
        WARDEN_AUDIT_CHUNK_ROWS="50000",
        WARDEN_AUDIT_ORPHAN_SECONDS="3",
        WARDEN_AUDIT_RECOVER_SECONDS="2",
    )
    done = wait_for(
        lambda: run_state(run.pk).status != RunStatus.RUNNING or None,
        timeout=240,
        what="the rescued run to finish",
    )
    run = run_state(run.pk)
    assert run.status == RunStatus.COMPLETED, (run.error, workers.log("rescuer")[-3000:])
    assert done
    assert run.attempt == 1  # the chunks already done were kept, not recomputed
    assert Event.objects.filter(verb="audit_completed", target_id=str(run.pk)).count() == 1
    assert AuditRun.objects.count() == 1
    assert not ChunkStats.objects.exists()
    jsonschema.validate(run.result, contract_schema)
    expected = battery.run(
        upload.parquet.path,
        upload.mapping,
        tier=run.tier,
        rows_per_chunk=50_000,
        data_sha256=upload.original_sha256,
    )
    assert run.result_sha256 == expected["result_sha256"]


def test_a_stopped_broker_answers_503_and_leaves_no_waiting_run(cast, api, version, compas_csv):
    upload = evaluation_sets.evaluation_set_upload(
        actor=cast.erin,
        version=version,
        file=csv_upload(compas_csv),
        mapping=COMPAS_MAPPING,
        role="current",
    )
    use_broker("redis://127.0.0.1:1/15")  # nothing listens there: a stopped Redis
    try:
        response = api.as_user(cast.erin).post(AUDITS, {"evaluation_set": upload.pk}, format="json")
    finally:
        use_eager()
    assert response.status_code == 503
    assert "unavailable" in response.data["detail"][0]
    run = AuditRun.objects.get()
    assert run.status == RunStatus.ERRORED
    assert "did not answer" in run.error
    assert not AuditRun.objects.filter(status=RunStatus.QUEUED).exists()
    assert Event.objects.filter(verb="audit_errored", target_id=str(run.pk)).count() == 1


def test_the_embedded_file_system_broker_runs_an_audit_on_a_real_worker(
    transactional_db, cast, version, compas_csv, media_root, tmp_path
):
    """`make run`'s default: kombu's file-system transport, no broker server, a real worker."""
    from config.celery import app
    from tests.workers import Workers

    var = tmp_path / "var"
    folders = {
        "data_folder_in": str(var / "broker" / "queue"),
        "data_folder_out": str(var / "broker" / "queue"),
        "control_folder": str(var / "broker" / "control"),
        "store_processed": False,
    }
    for folder in (var / "broker" / "queue", var / "broker" / "control"):
        folder.mkdir(parents=True)
    upload = evaluation_sets.evaluation_set_upload(
        actor=cast.erin,
        version=version,
        file=csv_upload(compas_csv),
        mapping=COMPAS_MAPPING,
        role="current",
    )
    pool = Workers(media_root, var, tmp_path)
    app.conf.broker_transport_options = folders
    use_broker("filesystem://")
    try:
        pool.start("embedded", CELERY_BROKER_URL="filesystem://")
        run = runs.audit_run_request(
            actor=cast.erin, version=version, evaluation_set=upload, with_model=False
        )
        finished = (RunStatus.COMPLETED, RunStatus.ERRORED)
        wait_for(
            lambda: run_state(run.pk).status in finished,
            timeout=120,
            what="the audit on the file-system broker",
        )
    finally:
        pool.stop_all()
        app.conf.broker_transport_options = {}
        use_eager()
    assert run_state(run.pk).status == RunStatus.COMPLETED, pool.log("embedded")[-2000:]


def test_a_worker_runs_from_an_empty_folder(workers):
    """A relative path inside an uploaded file (an ONNX external tensor) resolves to nothing."""
    import os

    process = workers.start("cwd")
    wait_for(lambda: "ready" in workers.log("cwd"), timeout=60, what="the worker to start")
    folder = os.readlink(f"/proc/{process.pid}/cwd")
    assert os.listdir(folder) == []


def test_a_worker_refuses_an_artifact_replaced_after_upload(
    workers, cast, api, version, compas_csv
):
    """The file on disk is hashed on the worker: a swapped model is never audited."""
    from governance.gate import gate_reasons, gate_versions
    from tests.factories import skops_model_bytes

    upload = evaluation_sets.evaluation_set_upload(
        actor=cast.erin,
        version=version,
        file=csv_upload(compas_csv),
        mapping=COMPAS_MAPPING,
        role="current",
    )
    response = api.as_user(cast.erin).post(AUDITS, {"evaluation_set": upload.pk}, format="json")
    assert response.status_code == 202  # queued; no worker runs yet
    with open(version.artifact.path, "wb") as handle:
        handle.write(skops_model_bytes())
    workers.start("solo")
    run = wait_for(
        lambda: (r := run_state(response.data["id"])).status == RunStatus.ERRORED and r,
        timeout=120,
        what="the run to error",
    )
    assert "no longer matches" in run.error and run.result is None, workers.log("solo")[-2000:]
    assert Event.objects.filter(verb="version_integrity_failed").count() == 1
    assert any("integrity" in r for r in gate_reasons(gate_versions().get(pk=version.pk)))


def _audit_on_worker(api, actor, evaluation_set) -> dict:
    """Start an audit through the API and wait for its worker to finish it."""
    response = api.as_user(actor).post(AUDITS, {"evaluation_set": evaluation_set.pk}, format="json")
    assert response.status_code == 202, response.data

    def finished():
        body = api.get(f"/api/audits/{response.data['id']}/").data
        return body if body["status"] in ("completed", "errored") else None

    body = wait_for(finished, timeout=240, every=0.2, what="the audit to finish")
    assert body["status"] == "completed", body["error"]
    return body["result"]


def test_a_worker_audits_raw_features_with_the_model_and_catches_tampered_predictions(
    workers, cast, api, version, compas_frame, contract_schema
):
    from audits.battery.artifacts import open_artifact

    mapping = {k: v for k, v in COMPAS_MAPPING.items() if k not in ("prediction", "score")}
    raw = compas_frame.drop(columns=[COMPAS_MAPPING["prediction"], COMPAS_MAPPING["score"]])
    model = open_artifact(version.artifact.path, "skops")
    model.bind(mapping["features"], list(raw.columns), {})
    labels, scores = model.outputs(raw)
    claimed = raw.assign(y_hat=labels.astype(int), p=scores[:, model.classes.index("1")])
    tampered = claimed.assign(
        y_hat=np.where(claimed.index % 20 == 0, 1 - claimed.y_hat, claimed.y_hat)
    )
    uploads = {
        name: evaluation_sets.evaluation_set_upload(
            actor=cast.erin, version=version, role="current", file=csv_upload(
                frame.to_csv(index=False).encode(), f"{name}.csv"),
            mapping=mapping if name == "raw" else {**mapping, "prediction": "y_hat", "score": "p"},
        )
        for name, frame in (("raw", raw), ("claimed", claimed), ("tampered", tampered))
    }  # fmt: skip
    workers.start("scorer", WARDEN_AUDIT_CHUNK_ROWS="2000")
    docs = {name: _audit_on_worker(api, cast.erin, upload) for name, upload in uploads.items()}
    for doc in docs.values():
        jsonschema.validate(doc, contract_schema)
    checks = {name: {c["id"]: c for c in doc["checks"]} for name, doc in docs.items()}
    artifact = {"from": "artifact", "sha256": version.artifact_sha256}
    assert docs["raw"]["dataset"]["outputs"] == {"prediction": artifact, "score": artifact}
    for cid in ("performance", "slices", "fairness", "calibration"):
        assert checks["raw"][cid]["status"] != "skipped", checks["raw"][cid]
        assert checks["raw"][cid]["metrics"] == checks["claimed"][cid]["metrics"], cid
    assert checks["claimed"]["consistency"]["status"] == "pass"
    assert checks["tampered"]["consistency"]["status"] == "fail"
    assert checks["tampered"]["consistency"]["metrics"]["label_disagreement_share"] == (
        pytest.approx(len(raw[::20]) / len(raw))
    )
    assert docs["tampered"]["status"] == "fail"

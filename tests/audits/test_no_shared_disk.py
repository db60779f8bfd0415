"""No shared disk: this process serves the web requests and two Celery workers run in folders
of their own with media folders of their own, all on one S3 bucket (moto's server on loopback).
From upload to the signed card, every file lands in the bucket and none on any disk."""

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io
from django.core.files.uploadedfile import SimpleUploadedFile

from audits.models import AuditRun, EvaluationSet
from governance import services as governance_services
from governance.models import Event, ModelVersion
from reports.models import Report
from tests.audits.conftest import csv_upload
from tests.factories import PASSWORD, TIER_3_ANSWERS, mlmodel_make
from tests.object_store import SECRET_KEY
from tests.workers import wait_for

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
BASE = "/api/models/recidivism/versions/"
WORKERS = ("north", "south")
FEATURES = [f"x{i}" for i in range(5)]
MAPPING = {"label": "label", "prediction": "predicted", "score": "score",
           "sensitive": ["sex"], "features": FEATURES}  # fmt: skip


def scored_set(rows: int = 8000, seed: int = 11) -> tuple[bytes, bytes]:
    """A logistic regression (skops) and a set it scored: COMPAS fails the policy (duplicate
    rows, adverse impact), and this journey is about where files go, so it must pass."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({name: rng.normal(size=rows) for name in FEATURES})
    logit = frame.to_numpy() @ np.array([1.5, -1.0, 0.5, 0.0, 0.8])
    frame["label"] = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    frame["sex"] = rng.choice(["female", "male"], rows)
    model = LogisticRegression().fit(frame[FEATURES], frame["label"])
    frame["predicted"] = model.predict(frame[FEATURES])
    frame["score"] = model.predict_proba(frame[FEATURES])[:, 1]
    return skops.io.dumps(model), frame.to_csv(index=False).encode()


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


@pytest.fixture
def on_the_bucket(settings, object_store, media_root):
    """This (web) process keeps its files in the bucket, as the workers will; its Parquet
    copies in row groups of 1,000, the workers' chunk size."""
    settings.STORAGES = object_store.storages()
    settings.WARDEN_PARQUET_ROW_GROUP_ROWS = settings.WARDEN_AUDIT_CHUNK_ROWS = 1000
    return object_store


@pytest.fixture
def two_workers(workers, on_the_bucket, tmp_path):
    """Two workers, each in its own empty working folder, with its own empty media and var
    folders; only the signing key (a secret, not a file of the records) is the pool's."""
    hosts = {}
    for name in WORKERS:
        host = tmp_path / f"host-{name}"
        hosts[name] = host
        workers.start(
            name,
            cwd=host / "run",
            MEDIA_ROOT=str(host / "media"),
            WARDEN_VAR_DIR=str(host / "var"),
            WARDEN_AUDIT_CHUNK_ROWS="1000",
            WARDEN_MODEL_CHECK_ROWS="1000",
            WARDEN_BLACK_BOX_ROWS="3",
            **on_the_bucket.environment(),
        )
    for name in WORKERS:  # both take tasks from the start, so the chunks are shared out
        wait_for(lambda n=name: "ready." in workers.log(n), timeout=60, what=f"worker {name}")
    return hosts


def test_a_version_goes_from_upload_to_signed_card_with_every_file_in_the_bucket(
    two_workers, on_the_bucket, workers, cast, api, media_root
):
    model_bytes, set_csv = scored_set()
    model = mlmodel_make(cast.erin, slug="recidivism")
    governance_services.risk_assessment_record(actor=cast.erin, model=model, answers=TIER_3_ANSWERS)
    erin = api.as_user(cast.erin)
    artifact = SimpleUploadedFile("recidivism.skops", model_bytes)
    created = erin.post(BASE, {"version": "1.0.0", "artifact": artifact}, format="multipart")
    assert created.status_code == 201, created.data
    uploaded = erin.post(
        f"{BASE}1.0.0/evaluation-sets/",
        {"file": csv_upload(set_csv, "scored.csv"), "mapping": json.dumps(MAPPING)},
        format="multipart",
    )
    assert uploaded.status_code == 201, uploaded.data

    started = erin.post(
        f"{BASE}1.0.0/audits/", {"evaluation_set": uploaded.data["id"]}, format="json"
    )
    assert started.status_code == 202, started.data

    def audited():
        body = api.get(f"/api/audits/{started.data['id']}/").data
        return body if body["status"] in ("completed", "errored") else None

    body = wait_for(audited, timeout=150, every=0.2, what="the audit on the two workers")
    logs = "\n".join(workers.log(name)[-2000:] for name in WORKERS)
    assert body["status"] == "completed", (body["error"], logs)
    assert body["chunks_total"] == 8  # 8,000 rows in chunks of 1,000, shared by the workers
    assert body["result"]["model"]["sha256"] == created.data["artifact_sha256"]

    submitted = erin.post(f"{BASE}1.0.0/submit/")
    assert submitted.status_code == 200, submitted.data
    signed = api.as_user(cast.rita).post(
        f"{BASE}1.0.0/decisions/",
        {"decision": "approve", "meaning": "approval", "password": PASSWORD},
        format="json",
    )
    assert signed.status_code == 201, signed.data
    report = wait_for(
        lambda: Report.objects.filter(version__model__slug="recidivism").first(),
        timeout=90,
        every=0.2,
        what="a worker to issue the signed card",
    )
    card = api.as_user(cast.ada).get(f"{BASE}1.0.0/model-card.pdf")
    assert card.status_code == 200
    assert hashlib.sha256(b"".join(card.streaming_content)).hexdigest() == report.sha256

    version = ModelVersion.objects.get(model__slug="recidivism")
    evaluation_set = EvaluationSet.objects.get(pk=uploaded.data["id"])
    stored = {
        version.artifact.name,
        evaluation_set.original.name,
        evaluation_set.parquet.name,
        report.file.name,
    }
    assert stored <= set(on_the_bucket.keys()), (stored, on_the_bucket.keys())
    assert all("succeeded" in workers.log(name) for name in WORKERS)  # both took a share
    for rows in (AuditRun, Event):  # the store's keys stay in the processes' settings
        assert SECRET_KEY not in json.dumps(list(rows.objects.values()), default=str), rows
    for host in two_workers.values():
        assert files_under(host / "media") == [] and files_under(host / "run") == []
    assert files_under(Path(media_root)) == []

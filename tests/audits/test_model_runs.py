"""Model artifacts through the registry and the workers: refused at upload when unsafe or
damaged, checked against the evaluation set when an audit is requested, and queried by the
model checks (with a training sample for membership inference) on the worker."""

import os
import pickle

import pytest
import skops.io
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from sklearn.linear_model import LogisticRegression

from audits.models import AuditRun, EvaluationSet, RunStatus
from audits.services import evaluation_sets
from governance.models import Event, ModelVersion
from tests.audits.conftest import COMPAS_MAPPING, csv_upload
from tests.factories import mlmodel_make

pytestmark = pytest.mark.django_db
MODEL_CHECKS = ("robustness", "adversarial", "privacy", "explainability")
VERSIONS = "/api/models/{slug}/versions/"
AUDITS = "/api/models/recidivism/versions/1.0.0/audits/"


class Payload:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


class HomeMadeClassifier(LogisticRegression):
    """Not a type skops or Warden trusts."""


def upload_version(api, actor, slug: str, artifact: SimpleUploadedFile):
    return api.as_user(actor).post(
        VERSIONS.format(slug=slug), {"version": "1", "artifact": artifact}, format="multipart"
    )


@pytest.mark.parametrize("name", ["model.pkl", "model.skops", "model.onnx"])
def test_a_pickle_with_a_payload_is_refused_and_never_runs(cast, api, media_root, tmp_path, name):
    mlmodel_make(cast.erin, slug="alpha")
    marker = tmp_path / "payload-ran"
    artifact = SimpleUploadedFile(name, pickle.dumps(Payload(str(marker))))
    response = upload_version(api, cast.erin, "alpha", artifact)
    assert response.status_code == 400
    assert "pickle" in response.data["artifact"][0] and "skops" in response.data["artifact"][0]
    assert not marker.exists()
    assert not ModelVersion.objects.exists() and not any(media_root.rglob("*.*"))


def test_a_skops_file_with_an_untrusted_type_is_refused_naming_it(cast, api, media_root):
    import numpy as np

    mlmodel_make(cast.erin, slug="alpha")
    model = HomeMadeClassifier().fit(np.eye(4), [0, 1, 0, 1])
    response = upload_version(
        api, cast.erin, "alpha", SimpleUploadedFile("m.skops", skops.io.dumps(model))
    )
    assert response.status_code == 400
    assert "HomeMadeClassifier" in response.data["artifact"][0]
    assert not ModelVersion.objects.exists() and not any(media_root.rglob("*.*"))
    assert not Event.objects.filter(verb="version_created").exists()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [("m.skops", b"PK\x03\x04broken", "not a readable skops file"),
     ("m.onnx", b"\x08\x07garbage" * 50, "not a valid ONNX model")],
)  # fmt: skip
def test_a_damaged_artifact_is_refused(cast, api, media_root, name, content, reason):
    mlmodel_make(cast.erin, slug="alpha")
    response = upload_version(api, cast.erin, "alpha", SimpleUploadedFile(name, content))
    assert response.status_code == 400 and reason in response.data["artifact"][0]
    assert not ModelVersion.objects.exists() and not any(media_root.rglob("*.*"))


@pytest.fixture
def compas_set(cast, version, compas_csv):
    return evaluation_sets.evaluation_set_upload(
        actor=cast.erin, version=version, file=csv_upload(compas_csv), mapping=COMPAS_MAPPING,
        role="current",
    )  # fmt: skip


@pytest.fixture
def training_set(cast, version, compas_csv):
    return evaluation_sets.evaluation_set_upload(
        actor=cast.erin, version=version, file=csv_upload(compas_csv, "train.csv"),
        mapping={"label": "two_year_recid", "features": COMPAS_MAPPING["features"]},
        role="training",
    )  # fmt: skip


def test_an_audit_runs_the_model_checks_with_a_training_sample(
    cast, api, compas_set, training_set, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(cast.erin).post(
            AUDITS, {"evaluation_set": compas_set.pk, "training_set": training_set.pk},
            format="json",
        )  # fmt: skip
    assert response.status_code == 202, response.data
    run = AuditRun.objects.get(pk=response.data["id"])
    assert run.status == RunStatus.COMPLETED, run.error
    assert run.with_model and run.training_set_id == training_set.pk
    checks = {c["id"]: c for c in run.result["checks"]}
    for cid in MODEL_CHECKS:
        assert checks[cid]["status"] in ("pass", "warn", "fail"), checks[cid]
    assert run.result["model"]["sha256"] == run.version.artifact_sha256
    assert run.result["dataset"]["training_sha256"] == training_set.original_sha256
    # the training sample is the evaluation set here: no membership signal to find
    assert abs(checks["privacy"]["metrics"]["attack_auc"] - 0.5) < 0.05
    features = {i["feature"] for i in checks["explainability"]["details"]["feature_importance"]}
    assert features == {"age", "priors_count", "juv_fel_count", "c_charge_degree"}
    requested = Event.objects.get(verb="audit_requested", target_id=str(run.pk))
    assert requested.after["with_model"] is True


def test_an_audit_without_the_model_skips_its_checks(
    cast, api, compas_set, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(cast.erin).post(
            AUDITS, {"evaluation_set": compas_set.pk, "with_model": False}, format="json"
        )
    run = AuditRun.objects.get(pk=response.data["id"])
    statuses = {c["id"]: c["status"] for c in run.result["checks"]}
    assert all(statuses[c] == "skipped" for c in MODEL_CHECKS) and run.result["model"] is None


def test_a_model_that_does_not_fit_the_set_is_refused_at_request(cast, api, version, compas_frame):
    frame = compas_frame.drop(columns=["priors_count"])
    mapping = {**COMPAS_MAPPING, "features": ["age", "juv_fel_count", "c_charge_degree"]}
    upload = evaluation_sets.evaluation_set_upload(
        actor=cast.erin, version=version, mapping=mapping, role="current",
        file=csv_upload(frame.to_csv(index=False).encode()),
    )  # fmt: skip
    response = api.as_user(cast.erin).post(AUDITS, {"evaluation_set": upload.pk}, format="json")
    assert response.status_code == 400
    assert "column 'priors_count'" in response.data["with_model"][0]
    assert not AuditRun.objects.exists()
    # the data-only battery still runs on it
    response = api.as_user(cast.erin).post(
        AUDITS, {"evaluation_set": upload.pk, "with_model": False}, format="json"
    )
    assert response.status_code == 202


def test_a_training_sample_must_be_one(cast, api, compas_set):
    response = api.as_user(cast.erin).post(
        AUDITS, {"evaluation_set": compas_set.pk, "training_set": compas_set.pk}, format="json"
    )
    assert response.status_code == 400 and "training sample" in str(response.data["training_set"])
    assert not AuditRun.objects.exists()
    assert EvaluationSet.objects.count() == 1 and default_storage.exists(compas_set.parquet.name)


def test_an_onnx_model_reading_a_server_file_from_an_if_branch_is_refused(
    cast, api, media_root, tmp_path, monkeypatch
):
    from tests.audits.battery.test_model_artifacts import SECRET, if_branch_model

    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret_key").write_bytes(SECRET)
    mlmodel_make(cast.erin, slug="alpha")
    model = if_branch_model("secret_key").SerializeToString()
    response = upload_version(api, cast.erin, "alpha", SimpleUploadedFile("m.onnx", model))
    assert response.status_code == 400
    assert "external files" in response.data["artifact"][0]
    assert SECRET[:4].decode() not in str(response.data)
    assert not ModelVersion.objects.exists() and not any(media_root.rglob("*.*"))


def test_a_model_that_would_predict_a_class_the_labels_lack_is_refused_at_request(
    cast, api, version, compas_frame
):
    negatives = compas_frame[compas_frame["two_year_recid"] == 0].drop(
        columns=[COMPAS_MAPPING["prediction"], COMPAS_MAPPING["score"]]
    )
    mapping = {k: v for k, v in COMPAS_MAPPING.items() if k not in ("prediction", "score")}
    upload = evaluation_sets.evaluation_set_upload(
        actor=cast.erin, version=version, mapping=mapping, role="current",
        file=csv_upload(negatives.to_csv(index=False).encode()),
    )  # fmt: skip
    response = api.as_user(cast.erin).post(AUDITS, {"evaluation_set": upload.pk}, format="json")
    assert response.status_code == 400
    assert "the model predicts ['1']" in response.data["with_model"][0]
    assert "classes" in response.data["with_model"][0] and not AuditRun.objects.exists()

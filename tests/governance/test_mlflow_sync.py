"""The MLflow registry sync against a real `mlflow server` (SQLite, loopback, artifacts in a
temporary folder), filled by MLflow's own client: paging, provenance, the two flavors that come
across, the ones that never do, idempotence, removal and the gate by MLflow name."""

import json
from pathlib import Path

import numpy as np
import pytest
from django.utils import timezone

from governance.mlflow_sync.client import MLflowClient
from governance.mlflow_sync.flavors import NOT_IMPORTABLE
from governance.mlflow_sync.sync import mlflow_sync
from governance.models import (
    Deployment,
    Event,
    EventVerb,
    MLflowModelLink,
    MLflowVersionLink,
    MLModel,
    ModelVersion,
    VersionStatus,
)
from tests.factories import user_make
from tests.governance.mlflow_server import MLflowServer, mlflow_server  # noqa: F401

pytestmark = pytest.mark.django_db
ONNX_MLMODEL = "flavors:\n  onnx:\n    data: model.onnx\n    onnx_version: 1.17.0\n"


def onnx_dir(directory: Path) -> str:
    """An MLflow model folder in the ONNX flavor: MLmodel and a logistic regression."""
    from skl2onnx import to_onnx
    from sklearn.linear_model import LogisticRegression

    x = np.array([[0.0], [1.0], [2.0], [3.0]], dtype=np.float32)
    model = LogisticRegression().fit(x, [0, 0, 1, 1])
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "model.onnx").write_bytes(to_onnx(model, x[:1]).SerializeToString())
    (directory / "MLmodel").write_text(ONNX_MLMODEL)
    return str(directory)


@pytest.fixture(scope="module")
def registry(mlflow_server: MLflowServer, tmp_path_factory) -> MLflowServer:  # noqa: F811
    """credit-scorer v1 (skops, alias prod) and v2 (cloudpickle); fraud-crafted v1 (skops whose
    MLmodel allow-lists os.system); onnx-scorer v1 and v2 (ONNX, alias staging on v2). Tests
    that change it add what they change and leave the rest as it was."""
    tmp_path = tmp_path_factory.mktemp("models")
    mlflow_server.populate(
        [
            {"log": "credit-scorer", "kind": "skops"},
            {"log": "credit-scorer", "kind": "cloudpickle"},
            {"log": "fraud-crafted", "kind": "crafted"},
            {"log": "onnx-scorer", "kind": "dir", "dir": onnx_dir(tmp_path / "onnx")},
            {"log": "onnx-scorer", "kind": "dir", "dir": onnx_dir(tmp_path / "onnx")},
            {"alias": "prod", "model": "credit-scorer", "version": 1},
            {"alias": "staging", "model": "onnx-scorer", "version": 2},
        ]
    )
    return mlflow_server


@pytest.fixture
def sync(registry: MLflowServer, settings, db):  # type: ignore[no-untyped-def]
    """Run one pass as the sync account, a page of one model or version at a time."""
    settings.WARDEN_MLFLOW_OWNERS = json.dumps([{"match": "*", "owner": "erin", "team": "team-a"}])
    user_make("erin", "engineer", team="team-a")
    actor = user_make("mlflow-sync", "engineer", team="team-a")

    def run():  # type: ignore[no-untyped-def]
        return mlflow_sync(actor=actor, client=MLflowClient(registry.url, page_size=1))

    return run


def test_it_pages_through_every_model_and_version_keeping_run_and_source(sync, registry):
    report = sync()
    assert sorted(MLflowModelLink.objects.values_list("name", flat=True)) == [
        "credit-scorer", "fraud-crafted", "onnx-scorer"
    ]  # fmt: skip
    assert MLflowVersionLink.objects.count() == 5 and report.versions_created == 3
    listed = {v.version: v for v in MLflowClient(registry.url).versions("onnx-scorer")}
    for link in MLflowVersionLink.objects.filter(model_link__name="onnx-scorer"):
        assert link.run_id == listed[link.mlflow_version].run_id != ""
        assert link.source == listed[link.mlflow_version].source != ""
        assert link.version.artifact_format == "onnx" and link.version.status == "draft"
    skops = MLflowVersionLink.objects.get(model_link__name="credit-scorer", mlflow_version="1")
    assert skops.version.artifact_format == "skops"
    created = Event.objects.get(verb=EventVerb.VERSION_CREATED, target_id=str(skops.version.pk))
    assert created.after["provenance"]["run_id"] == skops.run_id
    assert MLModel.objects.get(slug="credit-scorer").owner.username == "erin"


def test_a_cloudpickle_version_arrives_as_not_importable_and_is_never_loaded(sync):
    sync()
    link = MLflowVersionLink.objects.get(model_link__name="credit-scorer", mlflow_version="2")
    assert link.version is None and link.refusal.startswith(NOT_IMPORTABLE)
    assert not ModelVersion.objects.filter(model__slug="credit-scorer", version="2").exists()
    refused = Event.objects.filter(verb=EventVerb.MLFLOW_VERSION_REFUSED)
    assert any(e.after["mlflow_version"] == "2" for e in refused)


def test_wardens_trusted_types_apply_never_the_ones_an_mlmodel_declares(sync):
    """GHSA-w582-9x45-8mpx: the MLmodel allow-lists posix.system; Warden refuses it by name."""
    sync()
    link = MLflowVersionLink.objects.get(model_link__name="fraud-crafted")
    assert link.version is None
    assert "does not trust" in link.refusal and "system" in link.refusal
    assert not ModelVersion.objects.filter(model__slug="fraud-crafted").exists()


def test_twice_gives_the_same_records_and_trail(sync):
    def state():  # type: ignore[no-untyped-def]
        return (
            list(MLflowVersionLink.objects.order_by("pk").values()),
            list(ModelVersion.objects.order_by("pk").values("pk", "version", "artifact_sha256")),
            list(Event.objects.order_by("seq").values_list("seq", "verb", "hash")),
        )

    sync()
    first = state()
    report = sync()
    assert state() == first
    assert report.models_created == report.versions_created == report.versions_refused == 0


def test_an_alias_on_a_draft_is_refused_on_the_trail_and_on_an_approved_version_deploys(
    sync, registry
):
    sync()
    refused = Event.objects.filter(verb=EventVerb.MLFLOW_ALIAS_REFUSED)
    assert {e.after["alias"] for e in refused} >= {"prod", "staging"}
    assert all("not approved" in e.note for e in refused)
    version = MLflowVersionLink.objects.get(model_link__name="onnx-scorer", mlflow_version="1")
    # approved by an earlier review (the review itself is tested elsewhere)
    ModelVersion.objects.filter(pk=version.version.pk).update(
        status=VersionStatus.APPROVED,
        approval_expires_at=timezone.now() + timezone.timedelta(days=30),
    )
    registry.populate([{"alias": "champion", "model": "onnx-scorer", "version": 1}])
    assert sync().deployments == 1
    deployment = Deployment.objects.get(version=version.version)
    assert deployment.environment == "champion" and "MLflow alias" in deployment.note


def test_a_model_removed_in_mlflow_is_marked_and_kept(sync, registry, tmp_path):
    registry.populate([{"log": "doomed", "kind": "dir", "dir": onnx_dir(tmp_path)}])
    sync()
    registry.populate([{"delete": "doomed"}])
    assert sync().models_removed == 1
    link = MLflowModelLink.objects.get(name="doomed")
    assert link.removed_at is not None and link.versions.get().version is not None
    assert MLModel.objects.filter(slug="doomed").exists()
    assert Event.objects.filter(verb=EventVerb.MLFLOW_MODEL_REMOVED).count() == 1
    sync()
    assert Event.objects.filter(verb=EventVerb.MLFLOW_MODEL_REMOVED).count() == 1


def test_the_gate_answers_by_mlflow_name_and_version(sync, api):
    sync()
    erin = MLModel.objects.get(slug="credit-scorer").owner
    ask = api.as_user(erin).get

    answer = ask("/api/gate/?mlflow_model=credit-scorer&mlflow_version=1&environment=prod")
    assert answer.status_code == 200 and answer.data["allowed"] is False
    assert any("not approved" in r for r in answer.data["reasons"])
    answer = ask("/api/gate/?mlflow_model=credit-scorer&mlflow_version=2&environment=prod")
    assert answer.data == {"allowed": False, "reasons": [answer.data["reasons"][0]], "warnings": []}
    assert answer.data["reasons"][0].startswith(NOT_IMPORTABLE)
    answer = ask("/api/gate/?mlflow_model=credit-scorer&mlflow_version=9&environment=prod")
    assert answer.status_code == 404 and "mlflow_version" in answer.data

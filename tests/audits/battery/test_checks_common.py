"""Every registered check, through the same invariants: it runs from its CHECKS line, its
statistics are plain JSON that merge chunk by chunk to the one-pass figures (model checks: it
measures once, from the model), it is skipped when an input it requires is missing, and a check
that raises is reported as "error" alone."""

from __future__ import annotations

import json
import sys

import pytest

from audits.battery import CHECKS, finalize, prepare, run
from audits.battery.accumulation import chunk_statistics, chunks, merge_statistics
from audits.battery.checks.base import INPUTS, ModelCheck, NotApplicable
from audits.battery.sampling import ModelInputs

from .conftest import BINARY_MAPPING, binary_frame

ALL_IDS = sorted(CHECKS)
IDS = sorted(c for c in CHECKS if not isinstance(CHECKS[c], ModelCheck))  # chunk statistics
MODEL_IDS = sorted(set(ALL_IDS) - set(IDS))
FEATURE_IDS = [c for c in MODEL_IDS if "features" in CHECKS[c].reads]  # queried on tabular models
TENSOR_ONLY_IDS = [c for c in MODEL_IDS if c not in FEATURE_IDS]
TENSOR_IDS = [c for c in MODEL_IDS if "tensors" in CHECKS[c].reads]  # queried on deep nets
FAST = {"model_rows": 600, "attack_rows": 100, "tensor_attack_rows": 20, "black_box_rows": 4,
        "importance_rows": 300}  # fmt: skip


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    """A logistic regression on the binary frame's features, saved with skops."""
    import skops.io
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    frame = binary_frame(1500, seed=9)
    encode = make_column_transformer((OneHotEncoder(), ["cat"]), remainder="passthrough")
    model = make_pipeline(encode, LogisticRegression()).fit(frame[["x1", "x2", "cat"]], frame["y"])
    path = tmp_path_factory.mktemp("model") / "model.skops"
    skops.io.dump(model, path)
    return str(path)


@pytest.fixture(scope="module")
def spec(model_file):
    """A chunked binary set with a reference, its uploaded outputs and a model to check them by."""
    return prepare(binary_frame(1200), BINARY_MAPPING, reference=binary_frame(900, seed=5),
                   rows_per_chunk=250, model=model_file, options=FAST)  # fmt: skip


def all_statistics(spec, role):
    return [chunk_statistics(spec, role, c) for c in chunks(spec, role)]


@pytest.mark.parametrize("cid", ALL_IDS)
def test_each_check_declares_its_title_and_known_inputs_and_roles(cid):
    check = CHECKS[cid]
    assert check.id == cid and check.title
    assert check.requires <= set(INPUTS)
    if cid in MODEL_IDS:  # measured once from the model, never per chunk
        assert "model" in check.requires and check.roles == ()
    else:
        assert set(check.roles) <= {"current", "reference"} and "current" in check.roles
    assert sys.modules[type(check).__module__].__doc__  # the formula lives there


@pytest.mark.parametrize("cid", FEATURE_IDS)
def test_each_model_check_runs_and_passes_the_contract(cid, model_file, check_document):
    train = binary_frame(500, seed=9)
    doc = check_document(run(binary_frame(800), BINARY_MAPPING, model=model_file, train=train,
                             options=FAST))  # fmt: skip
    result = next(c for c in doc["checks"] if c["id"] == cid)
    assert result["status"] in ("pass", "warn", "fail"), result
    assert result["metrics"]
    for finding in result["findings"]:
        if finding["severity"] == "fail":
            assert {"metric", "value", "threshold"} <= set(finding)


@pytest.mark.parametrize("cid", FEATURE_IDS)
def test_a_model_check_that_raises_is_an_error_while_the_others_complete(
    cid, model_file, monkeypatch
):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(type(CHECKS[cid]), "measure_model", boom)
    doc = run(binary_frame(400), BINARY_MAPPING, model=model_file, train=binary_frame(300, seed=9),
              options=FAST)  # fmt: skip
    statuses = {c["id"]: c["status"] for c in doc["checks"]}
    assert statuses[cid] == "error" and "RuntimeError" in str(doc["checks"])
    assert all(s != "error" for k, s in statuses.items() if k != cid)


@pytest.mark.parametrize("cid", FEATURE_IDS)
def test_each_model_check_measures_and_leaves_the_judging_to_the_policy(cid, model_file):
    spec = prepare(binary_frame(800), BINARY_MAPPING, model=model_file,
                   train=binary_frame(500, seed=9), options=FAST)  # fmt: skip
    measured = CHECKS[cid].measure_model(ModelInputs(spec))
    assert {finding["severity"] for finding in measured.findings} <= {"info"}


@pytest.mark.parametrize("cid", TENSOR_ONLY_IDS)
def test_a_check_for_tensor_models_does_not_apply_to_a_tabular_one_nor_change_its_verdict(
    cid, model_file
):
    doc = run(binary_frame(400), BINARY_MAPPING, model=model_file, tier=1, options=FAST)
    result = next(c for c in doc["checks"] if c["id"] == cid)
    assert result["status"] == "skipped" and "reads features" in result["details"]["not_applicable"]
    registered = dict(CHECKS)
    del CHECKS[cid]
    try:
        without = run(binary_frame(400), BINARY_MAPPING, model=model_file, tier=1, options=FAST)
    finally:  # back in registry order (monkeypatch would put the check back last)
        CHECKS.clear()
        CHECKS.update(registered)
    assert (doc["status"], doc["status_reasons"]) == (without["status"], without["status_reasons"])


@pytest.fixture(scope="module")
def digits_document(tmp_path_factory):
    """The battery on the digits CNN and its held-out PNGs (tests/tensor_models.py)."""
    from tests.tensor_models import digits_onnx, digits_test_zip

    directory = tmp_path_factory.mktemp("digits")
    return run(digits_test_zip(directory), {"label": "label", "slices": ["ink"]},
               model=digits_onnx(directory), options=FAST)  # fmt: skip


@pytest.mark.parametrize("cid", TENSOR_IDS)
def test_each_model_check_reading_tensors_runs_on_a_deep_net_and_passes_the_contract(
    cid, digits_document, check_document
):
    result = next(c for c in check_document(digits_document)["checks"] if c["id"] == cid)
    assert result["status"] in ("pass", "warn", "fail"), result
    assert result["metrics"]
    for example in result["details"].get("examples", []):
        assert {"row", "file", "label", "panels"} <= set(example) and example["panels"]


@pytest.mark.parametrize("cid", sorted(set(MODEL_IDS) - set(TENSOR_IDS)))
def test_a_model_check_not_reading_tensors_does_not_apply_to_a_deep_net(cid, tmp_path):
    from audits.battery.artifacts import open_artifact
    from tests.tensor_models import digits_onnx

    with pytest.raises(NotApplicable, match="the model reads tensors"):
        CHECKS[cid].applies_to(open_artifact(digits_onnx(tmp_path), "onnx"))


@pytest.mark.parametrize("cid", IDS)
def test_each_check_runs_and_passes_the_contract(cid, spec, check_document):
    doc = check_document(finalize(spec, merge_statistics(all_statistics(spec, "current")),
                                  merge_statistics(all_statistics(spec, "reference"))))  # fmt: skip
    result = next(c for c in doc["checks"] if c["id"] == cid)
    assert result["status"] in ("pass", "warn", "fail")
    assert result["metrics"]
    for finding in result["findings"]:
        if finding["severity"] != "info":
            assert {"metric", "value", "threshold"} <= set(finding)


def close(a, b) -> bool:
    """Equal trees, floats to 1e-12 relative."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(close, a, b))
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-15)
    return a == b


@pytest.mark.parametrize("cid", IDS)
def test_each_checks_statistics_are_json_and_merge_to_the_one_chunk_figures(cid, spec):
    merged, whole = {}, {}
    for role in CHECKS[cid].roles:
        parts = all_statistics(spec, role)
        assert len(parts) > 1
        wire = json.loads(json.dumps(parts))
        merged[role] = merge_statistics(wire)["checks"][cid]
        rows = spec.rows if role == "current" else spec.reference.rows
        whole[role] = chunk_statistics(spec, role, [0, rows])["checks"][cid]
    a = CHECKS[cid].measure({"reference": None, **merged}, spec)
    b = CHECKS[cid].measure({"reference": None, **whole}, spec)
    assert close(a.metrics, b.metrics)
    assert close(a.details, b.details)


def test_chunked_and_one_chunk_documents_are_identical():
    frame, ref = binary_frame(1500), binary_frame(1100, seed=5)
    docs = {
        n: run(frame, BINARY_MAPPING, reference=ref, rows_per_chunk=n) for n in (200, 777, 10**6)
    }
    assert len({d["result_sha256"] for d in docs.values()}) == 1


@pytest.mark.parametrize("cid", ALL_IDS)
def test_each_check_is_skipped_without_an_input_it_requires(cid):
    mapping = {"label": "y", "features": ["x1"]}
    doc = run(binary_frame(300), mapping)
    result = next(c for c in doc["checks"] if c["id"] == cid)
    if CHECKS[cid].requires <= {"classification"}:
        assert result["status"] != "skipped"
    else:
        assert result["status"] == "skipped"
        assert result["findings"][0]["message"].startswith("not run: needs")
        assert set(result["details"]["missing_inputs"]) <= set(INPUTS)


@pytest.mark.parametrize("cid", IDS)
@pytest.mark.parametrize("stage", ["accumulate", "measure"])
def test_a_check_that_raises_is_an_error_while_the_others_complete(
    cid, stage, monkeypatch, check_document, model_file
):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(type(CHECKS[cid]), stage, boom)
    if stage == "accumulate":
        monkeypatch.setattr(type(CHECKS[cid]), "accumulate_reference", boom)
    doc = check_document(
        run(binary_frame(400), BINARY_MAPPING, reference=binary_frame(300, seed=3),
            model=model_file, options=FAST)
    )  # fmt: skip
    statuses = {c["id"]: c["status"] for c in doc["checks"]}
    assert statuses[cid] == "error"
    assert all(s != "error" for k, s in statuses.items() if k != cid)
    error = next(c for c in doc["checks"] if c["id"] == cid)
    assert "RuntimeError" in error["findings"][0]["message"]

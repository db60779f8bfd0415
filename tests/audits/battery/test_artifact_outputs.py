"""The validator reproduces the outputs (#15): a set of raw features is scored by the model
artifact in the chunk step and audited as if its predictions had been uploaded; uploaded outputs
are checked against the artifact's (consistency). Models are trained here on UCI Adult: a skops
logistic regression and, through skl2onnx, an ONNX logistic regression and random forest."""

from __future__ import annotations

import json
import multiprocessing
import warnings

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.compose import make_column_transformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from audits.battery import BatteryInputError, RunSpec, chunks, finalize, merge_statistics, run
from audits.battery.artifacts import open_artifact
from audits.battery.cli import main
from digests import canonical_json

from .conftest import ADULT_COLUMNS
from .test_chunks import worker

NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
CATEGORICAL = ["workclass", "sex"]
FAST = {"model_rows": 500, "attack_rows": 60, "black_box_rows": 3, "importance_rows": 300}
MAPPING = {"label": "income", "sensitive": ["sex", "race"], "slices": ["relationship"],
           "positive_label": ">50K"}  # fmt: skip
CHUNK_ROWS = 3000
FAKE = {">50K": "<=50K", "<=50K": ">50K"}


@pytest.fixture(scope="module")
def adult(datasets_dir) -> tuple[pd.DataFrame, pd.DataFrame]:
    """UCI Adult: 20,000 rows to train on, the other 12,561 to audit."""
    frame = pd.read_csv(datasets_dir / "adult.data", header=None, names=ADULT_COLUMNS,
                        skipinitialspace=True, na_values="?")  # fmt: skip
    frame[CATEGORICAL] = frame[CATEGORICAL].fillna("unknown")
    return frame.iloc[:20000].reset_index(drop=True), frame.iloc[20000:].reset_index(drop=True)


def _onnx(estimator, train: pd.DataFrame, path) -> str:
    from skl2onnx import to_onnx

    estimator.fit(train[NUMERIC].to_numpy(np.float32), train["income"])
    proto = to_onnx(estimator, train[NUMERIC].to_numpy(np.float32)[:1],
                    options={id(estimator): {"zipmap": False}})  # fmt: skip
    path.write_bytes(proto.SerializeToString())
    return str(path)


@pytest.fixture(scope="module", params=["skops_logistic", "onnx_logistic", "onnx_forest"])
def model(request, adult, tmp_path_factory) -> tuple[str, list[str]]:
    """A model file trained here and the features it reads."""
    train, _ = adult
    folder = tmp_path_factory.mktemp("models")
    if request.param == "skops_logistic":
        columns = make_column_transformer(
            (StandardScaler(), NUMERIC), (OneHotEncoder(handle_unknown="ignore"), CATEGORICAL)
        )
        estimator = make_pipeline(columns, LogisticRegression(max_iter=1000))
        estimator.fit(train[NUMERIC + CATEGORICAL], train["income"])
        skops.io.dump(estimator, folder / "m.skops")
        return str(folder / "m.skops"), NUMERIC + CATEGORICAL
    if request.param == "onnx_logistic":
        return _onnx(LogisticRegression(max_iter=1000), train, folder / "m.onnx"), NUMERIC
    forest = RandomForestClassifier(n_estimators=20, max_depth=8, random_state=0)
    return _onnx(forest, train, folder / "f.onnx"), NUMERIC


def files(adult, model, folder) -> tuple[str, str, dict]:
    """The audited rows written twice: raw features only, and with the model's own prediction
    and positive-class probability uploaded as columns (computed by the adapter the battery
    uses); and the mapping of the raw file."""
    path, features = model
    _, test = adult
    raw = test[list(dict.fromkeys([*features, "income", "sex", "race", "relationship"]))]
    loaded = open_artifact(path, path.rsplit(".", 1)[1])
    loaded.bind(features, list(raw.columns), {c: "numeric" for c in NUMERIC})
    labels, scores = loaded.outputs(raw)
    positive = np.clip(scores[:, loaded.classes.index(">50K")], 0, 1)  # float32 rounds past 1
    uploaded = raw.assign(y_hat=labels, p=positive)
    raw.to_csv(folder / "raw.csv", index=False)
    uploaded.to_csv(folder / "uploaded.csv", index=False)
    return str(folder / "raw.csv"), str(folder / "uploaded.csv"), {**MAPPING, "features": features}


def audit(data, mapping, model_path, **extra) -> dict:
    return run(data, mapping, model=model_path, options=FAST, rows_per_chunk=CHUNK_ROWS, **extra)


def by_id(doc: dict) -> dict[str, dict]:
    return {c["id"]: c for c in doc["checks"]}


def test_a_set_of_raw_features_gives_the_figures_of_the_models_uploaded_predictions(
    adult, model, tmp_path
):
    raw, uploaded, mapping = files(adult, model, tmp_path)
    scored = by_id(audit(raw, mapping, model[0]))
    claimed = by_id(audit(uploaded, {**mapping, "prediction": "y_hat", "score": "p"}, model[0]))
    for cid in ("performance", "slices", "fairness", "calibration", "data_quality"):
        assert scored[cid]["status"] not in ("skipped", "error"), scored[cid]
        assert scored[cid]["metrics"] == claimed[cid]["metrics"], cid
        assert scored[cid]["status"] == claimed[cid]["status"], cid
    assert scored["performance"]["details"]["prediction_source"] == "artifact"
    assert scored["performance"]["metrics"]["roc_auc_score"] is not None
    assert scored["fairness"]["details"] == claimed["fairness"]["details"]
    assert scored["calibration"]["details"] == claimed["calibration"]["details"]


def test_the_document_says_each_output_came_from_the_artifact_by_its_sha256(adult, model, tmp_path):
    raw, _, mapping = files(adult, model, tmp_path)
    doc = audit(raw, mapping, model[0])
    artifact = {"from": "artifact", "sha256": doc["model"]["sha256"]}
    assert doc["dataset"]["outputs"] == {"prediction": artifact, "score": artifact}
    assert by_id(doc)["consistency"]["details"]["missing_inputs"] == ["uploaded_outputs"]


def test_uploaded_outputs_the_model_gave_pass_consistency(adult, model, tmp_path):
    _, uploaded, mapping = files(adult, model, tmp_path)
    doc = audit(uploaded, {**mapping, "prediction": "y_hat", "score": "p"}, model[0])
    consistency = by_id(doc)["consistency"]
    assert consistency["status"] == "pass", consistency
    assert consistency["metrics"]["label_disagreement_share"] == 0
    assert consistency["metrics"]["max_score_difference"] < 1e-9
    assert doc["dataset"]["outputs"]["prediction"] == {"from": "column", "column": "y_hat"}


def test_tampered_predictions_fail_consistency_and_the_audit(adult, model, tmp_path):
    _, uploaded, mapping = files(adult, model, tmp_path)
    frame = pd.read_csv(uploaded)
    flipped = np.flatnonzero(np.random.default_rng(0).random(len(frame)) < 0.03)
    frame.loc[flipped, "y_hat"] = frame.loc[flipped, "y_hat"].map(FAKE)
    frame.to_csv(tmp_path / "tampered.csv", index=False)
    doc = audit(tmp_path / "tampered.csv", {**mapping, "prediction": "y_hat", "score": "p"},
                model[0])  # fmt: skip
    consistency = by_id(doc)["consistency"]
    assert consistency["status"] == "fail"
    assert consistency["metrics"]["label_disagreement_share"] == pytest.approx(
        len(flipped) / len(frame)
    )
    assert doc["status"] == "fail" and "check consistency failed" in doc["status_reasons"]
    worst = consistency["details"]["worst_rows"]
    assert len(worst) == 10 and {w["row"] for w in worst} <= set(flipped.tolist())
    assert all(FAKE[w["model_prediction"]] == w["uploaded_prediction"] for w in worst)


def test_tampered_scores_fail_consistency_naming_the_rows_moved_most(adult, model, tmp_path):
    _, uploaded, mapping = files(adult, model, tmp_path)
    frame = pd.read_csv(uploaded)
    rows = frame.index[(frame["p"] > 0.2) & (frame["p"] < 0.5)][[3, -3]]  # one early, one late
    frame.loc[rows, "p"] = frame.loc[rows, "p"] * 0.5  # below 0.5 before and after: same labels
    frame.to_csv(tmp_path / "tampered.csv", index=False)
    doc = audit(tmp_path / "tampered.csv", {**mapping, "prediction": "y_hat", "score": "p"},
                model[0])  # fmt: skip
    consistency = by_id(doc)["consistency"]
    assert consistency["metrics"]["label_disagreement_share"] == 0
    assert consistency["metrics"]["max_score_difference"] > 0.05
    assert consistency["status"] == "fail"
    moved = sorted(rows, key=lambda i: -frame.loc[i, "p"])  # halved: the larger moved more
    assert [w["row"] for w in consistency["details"]["worst_rows"][:2]] == moved


def test_an_artifact_scored_audit_is_the_same_bytes_in_chunks_workers_and_runs(
    adult, model, tmp_path
):
    from audits.battery import prepare

    raw, _, mapping = files(adult, model, tmp_path)
    expected = audit(raw, mapping, model[0])
    assert canonical_json(audit(raw, mapping, model[0])) == canonical_json(expected)
    assert canonical_json(audit(raw, mapping, model[0], workers=2)) == canonical_json(expected)
    spec = prepare(raw, mapping, model=model[0], options=FAST, rows_per_chunk=CHUNK_ROWS)
    wire = json.loads(json.dumps(spec.resolved().to_json()))
    jobs = [json.dumps([wire, "current", c]) for c in chunks(RunSpec.from_json(wire))]
    assert len(jobs) > 2
    with multiprocessing.get_context("spawn").Pool(2) as pool:  # fresh processes load the model
        states = [json.loads(s) for s in pool.map(worker, jobs)]
    doc = finalize(RunSpec.from_json(wire), merge_statistics(states))
    assert canonical_json(doc) == canonical_json(expected)


def test_the_command_line_audits_a_model_from_raw_features_alone(adult, model, tmp_path, capsys):
    raw, _, mapping = files(adult, model, tmp_path)
    code = main(["--data", raw, "--label", "income", "--features", *mapping["features"],
                 "--sensitive", "sex", "--positive", ">50K", "--model", model[0],
                 "--out", str(tmp_path / "doc.json")])  # fmt: skip
    doc = json.loads((tmp_path / "doc.json").read_text())
    assert code == (1 if doc["status"] in ("fail", "error") else 0)
    assert doc["dataset"]["outputs"]["prediction"]["from"] == "artifact"
    assert by_id(doc)["performance"]["status"] != "skipped"


def test_a_model_predicting_a_class_the_labels_lack_is_refused_naming_classes(
    adult, tmp_path, capsys
):
    train, test = adult
    three = train.assign(income=np.where(train["age"] > 60, "retired", train["income"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # unscaled inputs: lbfgs stops at max_iter, and says so
        estimator = LogisticRegression(max_iter=100).fit(three[NUMERIC], three["income"])
    skops.io.dump(estimator, tmp_path / "m.skops")
    test[[*NUMERIC, "income"]].to_csv(tmp_path / "raw.csv", index=False)
    with pytest.raises(BatteryInputError) as refused:
        run(tmp_path / "raw.csv", {"label": "income", "features": NUMERIC},
            model=tmp_path / "m.skops", options=FAST)  # fmt: skip
    assert refused.value.problems[0].column == "classes"
    assert "retired" in str(refused.value)


def test_a_multiclass_model_scores_raw_features_as_its_uploaded_probabilities(tmp_path):
    from .conftest import multiclass_frame

    frame = multiclass_frame(3000)
    estimator = LogisticRegression(max_iter=1000).fit(frame[["x1"]], frame["y"])
    skops.io.dump(estimator, tmp_path / "m.skops")
    probabilities = estimator.predict_proba(frame[["x1"]])
    claimed = frame[["y", "x1", "group"]].assign(
        pred=estimator.predict(frame[["x1"]]),
        **{f"p_{c}": probabilities[:, i] for i, c in enumerate(estimator.classes_)},
    )
    mapping = {"label": "y", "features": ["x1"], "sensitive": ["group"]}
    scored = by_id(audit(frame[["y", "x1", "group"]], mapping, str(tmp_path / "m.skops")))
    uploaded = by_id(audit(claimed, {**mapping, "prediction": "pred", "probabilities": [
        f"p_{c}" for c in estimator.classes_]}, str(tmp_path / "m.skops")))  # fmt: skip
    for cid in ("performance", "fairness", "calibration"):
        assert scored[cid]["status"] != "skipped", scored[cid]
        assert scored[cid]["metrics"] == uploaded[cid]["metrics"], cid
    assert uploaded["consistency"]["metrics"]["label_disagreement_share"] == 0

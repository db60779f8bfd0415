"""The model checks (robustness, adversarial, privacy, explainability) on models trained here on
UCI Adult, saved with skops or converted to ONNX, and run through the command line."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.compose import make_column_transformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from audits.battery import run
from audits.battery.cli import main
from audits.battery.gradients import mlp_loss_gradient

from .conftest import ADULT_COLUMNS

NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
CATEGORICAL = ["workclass", "marital_status", "sex"]
FAST = {"model_rows": 2000, "attack_rows": 300, "black_box_rows": 12, "importance_rows": 1000}


@pytest.fixture(scope="module")
def adult(datasets_dir):
    """UCI Adult: 20,000 rows to train on, the rest (12,561) to audit with."""
    frame = pd.read_csv(datasets_dir / "adult.data", header=None, names=ADULT_COLUMNS,
                        skipinitialspace=True, na_values="?")  # fmt: skip
    frame[CATEGORICAL] = frame[CATEGORICAL].fillna("unknown")
    return frame.iloc[:20000].reset_index(drop=True), frame.iloc[20000:].reset_index(drop=True)


def pipeline(estimator):
    """Scaled numbers and one-hot categories into ``estimator``, reading columns by name."""
    columns = make_column_transformer(
        (StandardScaler(), NUMERIC), (OneHotEncoder(handle_unknown="ignore"), CATEGORICAL)
    )
    return make_pipeline(columns, estimator)


def saved(model, train: pd.DataFrame, path, columns=NUMERIC + CATEGORICAL) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an MLP that stops at max_iter says so
        model.fit(train[columns], train["income"])
    skops.io.dump(model, path)
    return str(path)


def audit(test: pd.DataFrame, model_path: str, train=None, **options) -> dict:
    mapping = {"label": "income", "features": NUMERIC + CATEGORICAL, "sensitive": ["sex"]}
    return run(test, mapping, model=model_path, train=train, options={**FAST, **options})


def check(doc: dict, check_id: str) -> dict:
    return next(c for c in doc["checks"] if c["id"] == check_id)


@pytest.mark.parametrize(
    "estimator",
    [LogisticRegression(max_iter=1000), MLPClassifier((16,), max_iter=60, random_state=0)],
    ids=["logistic_regression", "mlp"],
)
def test_robust_accuracy_falls_as_epsilon_grows(adult, tmp_path, estimator):
    train, test = adult
    doc = audit(test, saved(pipeline(estimator), train, tmp_path / "m.skops"))
    adversarial = check(doc, "adversarial")
    assert adversarial["details"]["white_box"] is True
    for attack in ("FGSM", "PGD"):
        curve = [p["accuracy"] for p in adversarial["details"]["series"][attack]]
        assert curve == sorted(curve, reverse=True), (attack, curve)
        assert curve[-1] < curve[0] - 0.3, (attack, curve)  # at 1 sd most rows fall
    pgd = adversarial["details"]["series"]["PGD"]
    fgsm = adversarial["details"]["series"]["FGSM"]
    assert all(p["accuracy"] <= f["accuracy"] + 1e-9 for p, f in zip(pgd, fgsm, strict=True))
    assert adversarial["metrics"]["robust_accuracy_drop"] > 0


def test_the_black_box_attack_finds_adversarial_examples_on_a_forest(adult, tmp_path):
    train, test = adult
    forest = pipeline(RandomForestClassifier(n_estimators=30, random_state=0))
    adversarial = check(audit(test, saved(forest, train, tmp_path / "f.skops")), "adversarial")
    hop = adversarial["details"]["hop_skip_jump"]
    assert adversarial["details"]["white_box"] is False
    assert hop["attacked_rows"] >= 5 and hop["success_rate"] > 0.5
    assert 0 < adversarial["metrics"]["mean_min_perturbation"] < 10
    bound = [p["accuracy"] for p in adversarial["details"]["series"]["HopSkipJump (upper bound)"]]
    assert bound == sorted(bound, reverse=True) and bound[-1] < bound[0]


def test_membership_inference_tells_an_overfit_model_from_a_regularised_one(adult, tmp_path):
    train, test = adult
    members = train.head(2000)
    # without bootstrap every tree sees every training row: the forest memorises them
    overfit = pipeline(RandomForestClassifier(n_estimators=30, bootstrap=False, random_state=0))
    regularised = pipeline(LogisticRegression(C=0.05, max_iter=1000))
    leaky = check(audit(test, saved(overfit, members, tmp_path / "o.skops"), members), "privacy")
    tight = check(
        audit(test, saved(regularised, members, tmp_path / "r.skops"), members), "privacy"
    )
    assert leaky["metrics"]["attack_auc"] > tight["metrics"]["attack_auc"] + 0.15, (leaky, tight)
    assert abs(tight["metrics"]["attack_auc"] - 0.5) < 0.05
    assert leaky["metrics"]["membership_advantage"] > tight["metrics"]["membership_advantage"]
    assert leaky["details"]["members"] == leaky["details"]["non_members"] == 2000


def test_robustness_and_importance_are_measured_and_reproducible(adult, tmp_path):
    train, test = adult
    path = saved(pipeline(LogisticRegression(max_iter=1000)), train, tmp_path / "m.skops")
    first, second = audit(test, path), audit(test, path)
    assert first["result_sha256"] == second["result_sha256"]
    robustness = check(first, "robustness")
    noise = [p["accuracy"] for p in robustness["details"]["gaussian_noise"]]
    assert noise[-1] < noise[0]  # a whole sd of noise costs accuracy
    assert robustness["details"]["category_swap"]["flip_rate"] > 0
    # scikit-learn's scaler refuses NaN: a finding in plain words (the model's own error only in
    # the details), and the check still measured the rest
    assert robustness["status"] in ("warn", "fail")
    assert [f["message"] for f in robustness["findings"]] == [
        "not measured: the model refuses rows with missing values",
        "unscorable_perturbation_count = 1 is above the tier-2 warn threshold 0",
    ]
    assert "NaN" in robustness["details"]["missing_values"]["error"]
    importance = check(first, "explainability")["details"]["feature_importance"]
    top = [item["feature"] for item in importance[:3]]
    assert {"capital_gain", "marital_status"} & set(top), importance
    assert first["model"]["format"] == "skops" and first["model"]["classes"] == ["<=50K", ">50K"]


def test_an_onnx_model_is_audited_by_its_predictions(adult, tmp_path):
    from skl2onnx import to_onnx

    train, test = adult
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(train[NUMERIC].to_numpy(np.float32), train["income"])
    onnx_path = tmp_path / "m.onnx"
    onnx_path.write_bytes(
        to_onnx(
            model, train[NUMERIC].to_numpy(np.float32)[:1], options={"zipmap": False}
        ).SerializeToString()
    )
    mapping = {"label": "income", "features": NUMERIC}
    doc = run(test, mapping, model=str(onnx_path), options=FAST)
    assert doc["model"]["format"] == "onnx" and doc["model"]["classes"] == ["<=50K", ">50K"]
    adversarial = check(doc, "adversarial")
    assert adversarial["status"] != "error", adversarial
    assert adversarial["details"]["white_box"] is False  # ONNX: the black-box attack only
    assert check(doc, "robustness")["metrics"]["accuracy"] > 0.75
    assert check(doc, "explainability")["details"]["feature_importance"][0]["importance"] > 0


def test_the_mlp_loss_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4))
    y = (x[:, 0] + x[:, 1] > 0).astype(int) + (x[:, 2] > 1)
    for activation in ("relu", "tanh", "logistic"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mlp = MLPClassifier((6, 5), activation=activation, max_iter=200, random_state=0)
            mlp.fit(x, y)
        one_hot = np.eye(3)[y]
        gradient = mlp_loss_gradient(mlp, x[:5], one_hot[:5])
        step, numeric = 1e-6, np.zeros((5, 4))
        for i in range(5):
            for j in range(4):
                up, down = x[i : i + 1].copy(), x[i : i + 1].copy()
                up[0, j] += step
                down[0, j] -= step
                loss = [-np.log(mlp.predict_proba(v)[0, y[i]]) for v in (up, down)]
                numeric[i, j] = (loss[0] - loss[1]) / (2 * step)
        assert np.abs(gradient - numeric).max() < 1e-6, activation


def test_the_command_line_takes_a_model_and_a_training_sample(adult, tmp_path, capsys):
    train, test = adult
    model = saved(pipeline(LogisticRegression(max_iter=1000)), train, tmp_path / "m.skops")
    test.head(3000).to_csv(tmp_path / "test.csv", index=False)
    train.head(3000).to_csv(tmp_path / "train.csv", index=False)
    code = main(["--data", str(tmp_path / "test.csv"), "--label", "income", "--sensitive", "sex",
                 "--features", *NUMERIC, *CATEGORICAL, "--model", model,
                 "--train", str(tmp_path / "train.csv"), "--tier", "3"])  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    assert code == 1  # no prediction column: tier 3's required performance check was skipped
    statuses = {c["id"]: c["status"] for c in doc["checks"]}
    assert all(statuses[c] != "skipped" for c in ("adversarial", "privacy", "explainability"))
    assert doc["dataset"]["training_rows"] == 3000

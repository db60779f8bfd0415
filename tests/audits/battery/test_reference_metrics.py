"""The battery's figures agree with scikit-learn, fairlearn and SciPy on the same data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

from audits.battery import run

from .conftest import BINARY_MAPPING, binary_frame, multiclass_frame, regression_frame

EXACT = 1e-9


def checks_of(doc: dict) -> dict:
    return {c["id"]: c for c in doc["checks"]}


@pytest.fixture(scope="module")
def binary():
    frame = binary_frame(3000)
    ref = binary_frame(2500, seed=9, shift=0.3)
    doc = run(frame, BINARY_MAPPING, reference=ref, rows_per_chunk=700)
    return frame, ref, checks_of(doc), doc


def test_binary_document_validates(binary, check_document):
    check_document(binary[3])


def test_binary_performance_matches_sklearn(binary):
    frame, _, checks, _ = binary
    m = checks["performance"]["metrics"]
    y, p, s = frame["y"], frame["pred"], frame["score"]
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, p), abs=EXACT)
    assert m["balanced_accuracy_score"] == pytest.approx(
        skm.balanced_accuracy_score(y, p), abs=EXACT
    )
    assert m["macro_f1_score"] == pytest.approx(skm.f1_score(y, p, average="macro"), abs=EXACT)
    assert m["weighted_f1_score"] == pytest.approx(
        skm.f1_score(y, p, average="weighted"), abs=EXACT
    )
    assert m["log_loss"] == pytest.approx(skm.log_loss(y, s), abs=EXACT)
    details = checks["performance"]["details"]
    # continuous scores: within the bound the document reports
    bound = details["roc_auc_error_bound"]
    assert abs(m["roc_auc_score"] - skm.roc_auc_score(y, s)) <= bound + EXACT
    assert bound < 1e-3
    ap_bound = details["average_precision_error_bound"]
    assert abs(m["average_precision_score"] - skm.average_precision_score(y, s)) <= ap_bound + EXACT
    precision, recall, f1, support = skm.precision_recall_fscore_support(y, p)
    for i, cls in enumerate(["0", "1"]):
        row = details["per_class"][cls]
        assert row["precision"] == pytest.approx(precision[i], abs=EXACT)
        assert row["recall"] == pytest.approx(recall[i], abs=EXACT)
        assert row["f1"] == pytest.approx(f1[i], abs=EXACT)
        assert row["support"] == support[i]
    assert details["confusion_matrix"]["matrix"] == skm.confusion_matrix(y, p).tolist()


def test_auc_and_average_precision_are_exact_on_few_distinct_scores():
    frame = binary_frame(3000)
    frame["score"] = np.round(frame["score"], 1)
    doc = run(frame, {"label": "y", "score": "score", "features": []})
    m = checks_of(doc)["performance"]["metrics"]
    assert m["roc_auc_score"] == pytest.approx(
        skm.roc_auc_score(frame["y"], frame["score"]), abs=EXACT
    )
    ap = skm.average_precision_score(frame["y"], frame["score"])
    assert m["average_precision_score"] == pytest.approx(ap, abs=EXACT)


def test_fairness_matches_fairlearn_metricframe(binary):
    frame, _, checks, _ = binary
    fair = checks["fairness"]["details"]["attributes"]
    y, p = frame["y"], frame["pred"]
    for attr, features in (
        ("group", frame["group"]),
        ("group & sex", [frame["group"], frame["sex"]]),
    ):
        sf = (
            features
            if attr == "group"
            else pd.DataFrame({"group": features[0], "sex": features[1]})
        )
        mf = MetricFrame(
            metrics={"selection_rate": selection_rate, "tpr": true_positive_rate,
                     "fpr": false_positive_rate, "fnr": false_negative_rate,
                     "precision": lambda a, b: skm.precision_score(a, b, zero_division=0),
                     "accuracy": skm.accuracy_score, "n": lambda a, b: len(a)},
            y_true=y, y_pred=p, sensitive_features=sf,
        )  # fmt: skip
        for key, row in mf.by_group.iterrows():
            name = key if isinstance(key, str) else " & ".join(key)
            ours = fair[attr]["groups"][name]
            assert ours["n"] == row["n"]
            for metric in ("selection_rate", "tpr", "fpr", "fnr", "precision", "accuracy"):
                assert ours[metric] == pytest.approx(row[metric], abs=EXACT), (attr, name, metric)
        entry = fair[attr]
        assert entry["demographic_parity_difference"] == pytest.approx(
            demographic_parity_difference(y, p, sensitive_features=sf), abs=EXACT
        )
        assert entry["demographic_parity_ratio"] == pytest.approx(
            demographic_parity_ratio(y, p, sensitive_features=sf), abs=EXACT
        )
        assert entry["equalized_odds_difference"] == pytest.approx(
            equalized_odds_difference(y, p, sensitive_features=sf), abs=EXACT
        )
        assert entry["equal_opportunity_difference"] == pytest.approx(
            mf.difference()["tpr"], abs=EXACT
        )


def test_calibration_matches_sklearn(binary):
    frame, _, checks, _ = binary
    c = checks["calibration"]
    y, s = frame["y"], frame["score"]
    prob_true, prob_pred = calibration_curve(y, s, n_bins=10)
    filled = [b for b in c["details"]["bins"] if b["n"]]
    assert [b["observed_frequency"] for b in filled] == pytest.approx(prob_true, abs=EXACT)
    assert [b["mean_confidence"] for b in filled] == pytest.approx(prob_pred, abs=EXACT)
    counts = np.array([b["n"] for b in filled])
    ece = np.sum(counts / len(y) * np.abs(prob_true - prob_pred))
    assert c["metrics"]["ece"] == pytest.approx(ece, abs=EXACT)
    assert c["metrics"]["mce"] == pytest.approx(np.max(np.abs(prob_true - prob_pred)), abs=EXACT)
    assert c["metrics"]["brier"] == pytest.approx(skm.brier_score_loss(y, s), abs=EXACT)


def test_categorical_drift_matches_scipy(binary):
    frame, ref, checks, _ = binary
    cat = checks["drift"]["details"]["features"]["cat"]
    table = pd.crosstab(pd.concat([ref["cat"], frame["cat"]]),
                        np.r_[np.zeros(len(ref)), np.ones(len(frame))]).T.to_numpy()  # fmt: skip
    chi = chi2_contingency(table)
    assert cat["statistic"] == pytest.approx(chi.statistic, abs=EXACT)
    assert cat["p_value"] == pytest.approx(chi.pvalue, abs=EXACT)
    js = jensenshannon(table[0] / table[0].sum(), table[1] / table[1].sum(), base=2)
    assert cat["jensen_shannon"] == pytest.approx(js, abs=EXACT)


def test_multiclass_matches_sklearn(check_document):
    frame = multiclass_frame()
    probs = ["p_cat", "p_dog", "p_eel"]
    doc = check_document(
        run(
            frame,
            {
                "label": "y",
                "prediction": "pred",
                "probabilities": probs,
                "sensitive": ["group"],
                "features": ["x1"],
            },
            rows_per_chunk=400,
        )
    )
    assert doc["task"] == "multiclass"
    checks = checks_of(doc)
    m = checks["performance"]["metrics"]
    y, p, P = frame["y"], frame["pred"], frame[probs].to_numpy()
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, p), abs=EXACT)
    assert m["macro_f1_score"] == pytest.approx(skm.f1_score(y, p, average="macro"), abs=EXACT)
    assert m["log_loss"] == pytest.approx(skm.log_loss(y, P), abs=EXACT)
    bound = checks["performance"]["details"]["roc_auc_error_bound"]
    assert abs(m["roc_auc_score"] - skm.roc_auc_score(y, P, multi_class="ovr")) <= bound + EXACT
    onehot = pd.get_dummies(y).to_numpy(float)
    brier = np.mean(np.sum((P - onehot) ** 2, axis=1))
    assert checks["calibration"]["metrics"]["brier"] == pytest.approx(brier, abs=EXACT)
    fair = checks["fairness"]["details"]["attributes"]["group"]
    for cls in ("cat", "dog", "eel"):
        expected = demographic_parity_difference(
            y == cls, p == cls, sensitive_features=frame["group"]
        )
        assert fair["per_class"][cls]["demographic_parity_difference"] == pytest.approx(
            expected, abs=EXACT
        )


def test_regression_matches_sklearn(check_document):
    frame = regression_frame()
    doc = check_document(
        run(
            frame,
            {"label": "y", "prediction": "pred", "slices": ["seg"], "features": ["x1"]},
            rows_per_chunk=300,
        )
    )
    assert doc["task"] == "regression"
    m = checks_of(doc)["performance"]["metrics"]
    y, p = frame["y"], frame["pred"]
    assert m["mean_absolute_error"] == pytest.approx(skm.mean_absolute_error(y, p), abs=EXACT)
    assert m["root_mean_squared_error"] == pytest.approx(
        skm.root_mean_squared_error(y, p), abs=EXACT
    )
    assert m["r2_score"] == pytest.approx(skm.r2_score(y, p), abs=EXACT)
    seg = checks_of(doc)["slices"]["details"]["slices"]["seg"]
    for key, part in frame.groupby("seg"):
        mae = skm.mean_absolute_error(part["y"], part["pred"])
        assert seg[key]["mean_absolute_error"] == pytest.approx(mae, abs=EXACT)

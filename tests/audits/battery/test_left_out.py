"""Classes and groups an average leaves out (item 20), on ProPublica COMPAS: macro averages are
scikit-learn's, and each class or group left out of a figure is named in a finding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, false_positive_rate, true_positive_rate
from sklearn import metrics as skm

from audits.battery import run

from .conftest import PII

EXACT = 1e-9


@pytest.fixture(scope="module")
def compas(datasets_dir) -> pd.DataFrame:
    return pd.read_csv(datasets_dir / "compas-scores-two-years.csv").drop(columns=PII)


@pytest.fixture(scope="module")
def no_high(compas) -> pd.DataFrame:
    """Rows whose COMPAS band is Low or Medium, and a priors rule that also predicts High."""
    frame = compas[compas["score_text"] != "High"]
    priors = frame["priors_count"]
    rule = np.select([priors < 2, priors < 6], ["Low", "Medium"], default="High")
    return pd.DataFrame({"band": frame["score_text"], "rule": rule}).reset_index(drop=True)


BANDS = {"label": "band", "prediction": "rule", "classes": ["Low", "Medium", "High"]}


def performance_of(doc: dict) -> dict:
    return next(c for c in doc["checks"] if c["id"] == "performance")


def test_macro_averages_count_a_predicted_class_absent_from_the_labels_as_scikit_learn(no_high):
    performance = performance_of(run(no_high, BANDS))
    m, y, p = performance["metrics"], no_high["band"], no_high["rule"]
    assert set(p) == {"Low", "Medium", "High"} and set(y) == {"Low", "Medium"}
    for name, score in (
        ("precision", skm.precision_score),
        ("recall", skm.recall_score),
        ("f1", skm.f1_score),
    ):
        expected = score(y, p, average="macro", zero_division=0)
        assert m[f"macro_{name}_score"] == pytest.approx(expected, abs=EXACT), name
    assert m["balanced_accuracy_score"] == pytest.approx(
        skm.balanced_accuracy_score(y, p), abs=EXACT
    )


def test_balanced_accuracy_names_the_class_no_row_is_labelled_with(no_high):
    findings = performance_of(run(no_high, BANDS))["findings"]
    assert any(
        f.get("metric") == "balanced_accuracy_score" and "'High'" in f["message"] for f in findings
    )


def test_macro_averages_leave_out_a_declared_class_in_no_row_and_name_it(no_high):
    performance = performance_of(run(no_high, {**BANDS, "classes": [*BANDS["classes"], "None"]}))
    y, p = no_high["band"], no_high["rule"]
    expected = skm.f1_score(y, p, average="macro", zero_division=0)
    assert performance["metrics"]["macro_f1_score"] == pytest.approx(expected, abs=EXACT)
    assert any(
        f.get("metric") == "macro_f1_score" and "'None'" in f["message"]
        for f in performance["findings"]
    )


def test_equalized_odds_names_the_group_whose_rate_is_undefined(compas):
    frame = compas.assign(high_risk=(compas["decile_score"] >= 5).astype(int))
    mapping = {
        "label": "two_year_recid",
        "prediction": "high_risk",
        "sensitive": ["race", "age_cat"],
    }
    fairness = next(c for c in run(frame, mapping)["checks"] if c["id"] == "fairness")
    entry = fairness["details"]["attributes"]["race & age_cat"]
    young = "Native American & Less than 25"  # 3 rows, all reoffended: no FPR
    assert entry["groups"][young]["fpr"] is None
    assert entry["groups_left_out"] == {"fpr": [young]}
    assert any(young in f["message"] and "FPR" in f["message"] for f in fairness["findings"])
    mf = MetricFrame(
        metrics={"tpr": true_positive_rate, "fpr": false_positive_rate},
        y_true=frame["two_year_recid"], y_pred=frame["high_risk"],
        sensitive_features=frame[["race", "age_cat"]],
    )  # fmt: skip
    defined = mf.by_group.drop(index=("Native American", "Less than 25"))
    spread = (defined.max() - defined.min()).max()
    assert entry["equalized_odds_difference"] == pytest.approx(spread, abs=EXACT)

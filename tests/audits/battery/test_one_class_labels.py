"""A label column holding one class only (COMPAS people who did not reoffend): the positive class
can be declared though absent, and without it the figures that need it are not computed."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

from audits.battery import BatteryInputError, run
from audits.battery.cli import main

from .conftest import PII

EXACT = 1e-9


@pytest.fixture(scope="module")
def no_reoffence(datasets_dir) -> pd.DataFrame:
    """COMPAS rows with two_year_recid = 0 (3,963 of them), the decile score as a probability."""
    frame = pd.read_csv(datasets_dir / "compas-scores-two-years.csv").drop(columns=PII)
    frame = frame[frame["two_year_recid"] == 0]
    return pd.DataFrame(
        {"y": frame["two_year_recid"], "score": frame["decile_score"] / 10, "sex": frame["sex"]}
    ).reset_index(drop=True)


def checks_of(doc: dict) -> dict:
    return {c["id"]: c for c in doc["checks"]}


def test_a_declared_positive_absent_from_the_labels_gives_scikit_learns_figures(no_reoffence):
    doc = run(no_reoffence, {"label": "y", "score": "score", "positive_label": 1, "features": []})
    checks = checks_of(doc)
    y, s = no_reoffence["y"], no_reoffence["score"]
    assert doc["dataset"]["mapping"]["classes"] == ["0", "1"]
    calibration = checks["calibration"]["metrics"]
    assert calibration["brier"] == pytest.approx(skm.brier_score_loss(y, s, pos_label=1), abs=EXACT)
    prob_true, prob_pred = calibration_curve(y, s, n_bins=10, pos_label=1)
    filled = [b["n"] for b in checks["calibration"]["details"]["bins"] if b["n"]]
    ece = np.sum(np.asarray(filled) / len(y) * np.abs(prob_true - prob_pred))
    assert calibration["ece"] == pytest.approx(ece, abs=EXACT)
    performance = checks["performance"]["metrics"]
    assert performance["log_loss"] == pytest.approx(skm.log_loss(y, s, labels=[0, 1]), abs=EXACT)
    assert performance["accuracy"] == pytest.approx(
        skm.accuracy_score(y, (s >= 0.5).astype(int)), abs=EXACT
    )


def test_declared_classes_name_the_positive_class_absent_from_the_labels(no_reoffence):
    doc = run(no_reoffence, {"label": "y", "score": "score", "classes": [0, 1], "features": []})
    assert doc["dataset"]["mapping"]["positive_label"] == "1"
    brier = checks_of(doc)["calibration"]["metrics"]["brier"]
    expected = skm.brier_score_loss(no_reoffence["y"], no_reoffence["score"], pos_label=1)
    assert brier == pytest.approx(expected, abs=EXACT)


def test_without_a_declaration_a_score_only_set_says_what_it_cannot_compute(no_reoffence):
    doc = run(no_reoffence, {"label": "y", "score": "score", "sensitive": ["sex"], "features": []})
    checks = checks_of(doc)
    assert doc["dataset"]["mapping"]["positive_label"] is None
    for cid in ("performance", "fairness", "calibration", "slices"):
        assert checks[cid]["status"] == "skipped", cid
    assert "positive_label" in checks["calibration"]["findings"][0]["message"]
    assert "positive_label" in checks["performance"]["findings"][0]["message"]
    assert not any(c["status"] == "error" for c in doc["checks"])


def test_without_a_declaration_one_class_predictions_leave_out_the_score_figures(no_reoffence):
    frame = no_reoffence.assign(pred=0)
    mapping = {"label": "y", "prediction": "pred", "score": "score", "sensitive": ["sex"]}
    checks = checks_of(run(frame, {**mapping, "features": []}))
    performance, fairness = checks["performance"], checks["fairness"]
    assert performance["metrics"]["accuracy"] == 1.0
    assert "log_loss" not in performance["metrics"]
    assert any("positive_label" in f["message"] for f in performance["findings"])
    groups = fairness["details"]["attributes"]["sex"]["groups"]
    assert {g["selection_rate"] for g in groups.values()} == {None}
    assert fairness["status"] == "warn"


def test_the_cli_accepts_a_positive_label_absent_from_the_data(no_reoffence, tmp_path, capsys):
    no_reoffence.to_csv(tmp_path / "d.csv", index=False)
    code = main(["--data", str(tmp_path / "d.csv"), "--label", "y", "--score", "score",
                 "--positive", "1", "--features", "sex"])  # fmt: skip
    out = capsys.readouterr()
    assert code != 2, out.err
    doc = json.loads(out.out)
    assert doc["dataset"]["mapping"]["classes"] == ["0", "1"]


def test_the_cli_takes_the_classes(no_reoffence, tmp_path, capsys):
    no_reoffence.to_csv(tmp_path / "d.csv", index=False)
    code = main(["--data", str(tmp_path / "d.csv"), "--label", "y", "--score", "score",
                 "--classes", "0", "1", "--features", "sex"])  # fmt: skip
    out = capsys.readouterr()
    assert code != 2, out.err
    assert json.loads(out.out)["dataset"]["mapping"]["positive_label"] == "1"


@pytest.mark.parametrize(
    ("classes", "reason"),
    [("01", "must be a list of class values"), ([0, "0"], "more than once")],
)
def test_it_refuses_malformed_classes_naming_the_key(classes, reason, no_reoffence):
    with pytest.raises(BatteryInputError) as raised:
        run(no_reoffence, {"label": "y", "score": "score", "classes": classes})
    assert raised.value.problems[0].column == "classes"
    assert reason in raised.value.problems[0].reason

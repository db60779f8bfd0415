"""The command line on real public data (ProPublica COMPAS, UCI Adult): per-group figures agree
with the same figures computed here with pandas, and the document never holds unmapped columns."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from audits.battery.document import verify

from .conftest import PII

REPO = Path(__file__).resolve().parents[3]
EXACT = 1e-9


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "audits.battery", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def rates(frame: pd.DataFrame, by, label: str, pred: str, positive) -> pd.DataFrame:
    """Group rates computed directly with pandas, the way a reviewer would by hand."""
    y, p = frame[label] == positive, frame[pred] == positive
    parts = pd.DataFrame({"y": y, "p": p, "tp": y & p, "fp": ~y & p, "fn": y & ~p, "tn": ~y & ~p})
    g = parts.groupby([frame[c] for c in by]).sum()
    g["n"] = g[["tp", "fp", "fn", "tn"]].sum(axis=1)
    g["selection_rate"] = (g.tp + g.fp) / g.n
    g["tpr"] = g.tp / (g.tp + g.fn)
    g["fpr"] = g.fp / (g.fp + g.tn)
    g["fnr"] = g.fn / (g.tp + g.fn)
    g["accuracy"] = (g.tp + g.tn) / g.n
    return g


def assert_groups_agree(doc_groups: dict, expected: pd.DataFrame) -> None:
    assert len(doc_groups) == len(expected)
    for key, row in expected.iterrows():
        name = " & ".join(map(str, key)) if isinstance(key, tuple) else str(key)
        ours = doc_groups[name]
        assert ours["n"] == row["n"]
        for metric in ("selection_rate", "tpr", "fpr", "fnr", "accuracy"):
            if np.isnan(row[metric]):
                assert ours[metric] is None
            else:
                assert ours[metric] == pytest.approx(row[metric], abs=EXACT), (name, metric)


@pytest.fixture(scope="module")
def compas_run(compas_csv, tmp_path_factory, contract_schema):
    out = tmp_path_factory.mktemp("out") / "compas.json"
    result = cli("--data", str(compas_csv), "--label", "two_year_recid",
                 "--prediction", "high_risk", "--score", "score", "--sensitive", "race", "sex",
                 "--slice", "age_cat",
                 "--features", "age", "priors_count", "juv_fel_count", "c_charge_degree",
                 "--tier", "2", "--out", str(out))  # fmt: skip
    return result, json.loads(out.read_text()), pd.read_csv(compas_csv)


def test_compas_runs_and_fails_the_policy_on_fairness(compas_run, check_document):
    result, doc, _ = compas_run
    check_document(doc)
    assert verify(doc)
    checks = {c["id"]: c for c in doc["checks"]}
    assert result.returncode == 1 and result.stderr == ""
    assert checks["fairness"]["status"] == "fail"
    assert doc["dataset"]["rows"] == 7214
    assert checks["data_quality"]["details"]["label_counts"] == {"0": 3963, "1": 3251}


def test_compas_group_rates_agree_with_pandas(compas_run):
    _, doc, frame = compas_run
    fair = next(c for c in doc["checks"] if c["id"] == "fairness")["details"]["attributes"]
    for attr, by in (("race", ["race"]), ("sex", ["sex"]), ("race & sex", ["race", "sex"])):
        expected = rates(frame, by, "two_year_recid", "high_risk", 1)
        assert_groups_agree(fair[attr]["groups"], expected)
        sr = expected["selection_rate"]
        assert fair[attr]["demographic_parity_difference"] == pytest.approx(
            sr.max() - sr.min(), abs=EXACT
        )


def test_compas_slices_and_calibration_agree_with_pandas(compas_run):
    _, doc, frame = compas_run
    checks = {c["id"]: c for c in doc["checks"]}
    slices = checks["slices"]["details"]["slices"]["age_cat"]
    acc = (frame["two_year_recid"] == frame["high_risk"]).groupby(frame["age_cat"]).mean()
    for key, value in acc.items():
        assert slices[key]["accuracy"] == pytest.approx(value, abs=EXACT)
        lo, hi = slices[key]["accuracy_ci"]
        assert lo < value < hi
    brier = np.mean((frame["score"] - frame["two_year_recid"]) ** 2)
    assert checks["calibration"]["metrics"]["brier"] == pytest.approx(brier, abs=EXACT)


def test_compas_document_holds_no_unmapped_column(compas_run, datasets_dir):
    _, doc, _ = compas_run
    text = json.dumps(doc)
    raw = pd.read_csv(datasets_dir / "compas-scores-two-years.csv", usecols=[*PII, "c_case_number"])
    unmapped = [
        "first",
        "last",
        "dob",
        "c_case_number",
        "decile_score",
        "is_recid",
        "c_charge_desc",
    ]
    for col in unmapped:
        assert f'"{col}"' not in text
    for col in ("name", "c_case_number"):
        assert not any(str(value) in text for value in raw[col])


def test_the_raw_compas_header_is_refused_for_its_repeated_columns(datasets_dir):
    result = cli(
        "--data", str(datasets_dir / "compas-scores-two-years.csv"), "--label", "two_year_recid"
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: column 'decile_score': appears 2 times")
    assert result.stderr.count("\n") == 1 and result.stdout == ""


@pytest.fixture(scope="module")
def adult_run(adult_csv, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "adult.json"
    result = cli("--data", str(adult_csv), "--label", "income", "--prediction", "predicted",
                 "--sensitive", "sex", "race", "--slice", "education", "--positive", ">50K",
                 "--tier", "3", "--out", str(out))  # fmt: skip
    return result, json.loads(out.read_text()), pd.read_csv(adult_csv)


def test_adult_group_rates_agree_with_pandas(adult_run, check_document):
    result, doc, frame = adult_run
    check_document(doc)
    assert result.returncode in (0, 1) and result.stderr == ""
    assert doc["dataset"]["rows"] == 32561
    fair = next(c for c in doc["checks"] if c["id"] == "fairness")["details"]["attributes"]
    for attr, by in (("sex", ["sex"]), ("race", ["race"]), ("sex & race", ["sex", "race"])):
        assert_groups_agree(fair[attr]["groups"], rates(frame, by, "income", "predicted", ">50K"))


def test_adult_missing_values_and_label_balance_agree_with_pandas(adult_run):
    _, doc, frame = adult_run
    dq = next(c for c in doc["checks"] if c["id"] == "data_quality")["details"]
    assert dq["label_counts"] == {"<=50K": 24720, ">50K": 7841}
    for col in ("workclass", "occupation", "native_country"):
        assert dq["missing"][col]["count"] == int(frame[col].isna().sum()) > 0
    assert dq["duplicate_rows"] == int(frame.duplicated().sum())


def test_adult_without_a_header_reads_by_position(datasets_dir):
    result = cli("--data", str(datasets_dir / "adult.data"), "--no-header", "--label", "14",
                 "--sensitive", "9", "--score", "0", "--features", "0", "12")  # fmt: skip
    assert result.returncode == 2
    assert "column '0'" in result.stderr and "outside [0, 1]" in result.stderr


def test_adult_as_published_runs_with_positional_columns(datasets_dir, tmp_path, contract_schema):
    import jsonschema

    out = tmp_path / "adult.json"
    result = cli("--data", str(datasets_dir / "adult.data"), "--no-header", "--na-value", "?",
                 "--label", "14", "--prediction", "14", "--sensitive", "9", "8",
                 "--features", "0", "12", "--out", str(out))  # fmt: skip
    assert result.returncode == 2 and "'14'" in result.stderr  # one column, two roles
    result = cli("--data", str(datasets_dir / "adult.data"), "--no-header", "--na-value", "?",
                 "--label", "14", "--sensitive", "9", "--features", "0", "12", "--tier", "3",
                 "--out", str(out))  # fmt: skip
    doc = json.loads(out.read_text())
    jsonschema.validate(doc, contract_schema)
    assert result.returncode in (0, 1) and doc["dataset"]["rows"] == 32561
    dq = next(c for c in doc["checks"] if c["id"] == "data_quality")["details"]
    assert dq["label_counts"] == {"<=50K": 24720, ">50K": 7841}
    assert doc["dataset"]["mapping"]["features"] == ["0", "12"]

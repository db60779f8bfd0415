"""Drift figures on the edge cases of real data (UCI Adult): a constant reference feature, PSI
of sketched columns within its reported bound, and large-sample KS p-values against SciPy's."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import ks_2samp

from audits.battery import run

from .conftest import ADULT_COLUMNS, textbook_psi


@pytest.fixture(scope="module")
def adult(datasets_dir) -> pd.DataFrame:
    return pd.read_csv(datasets_dir / "adult.data", header=None, names=ADULT_COLUMNS,
                       skipinitialspace=True, na_values="?")  # fmt: skip


def drift_of(current: pd.DataFrame, reference: pd.DataFrame, features: list[str]) -> dict:
    mapping = {"label": "income", "features": features}
    doc = run(current, mapping, reference=reference)
    return next(c for c in doc["checks"] if c["id"] == "drift")


def test_a_feature_constant_in_the_reference_that_moves_is_drifted(adult):
    reference = adult[adult["hours_per_week"] == 40]  # 15,217 rows, all 40
    current = adult[adult["hours_per_week"] == 45]  # 1,824 rows, all 45
    feature = drift_of(current, reference, ["hours_per_week"])["details"]["features"]
    hours = feature["hours_per_week"]
    expected = ks_2samp(current["hours_per_week"], reference["hours_per_week"])
    assert hours["statistic"] == pytest.approx(expected.statistic) == 1.0
    assert hours["drifted"] is True
    assert hours["decision"] == {"by": "statistic", "threshold": 0.1}


def test_a_feature_constant_in_both_sets_at_the_same_value_is_not_drifted(adult):
    reference = adult[adult["hours_per_week"] == 40].iloc[:8000]
    current = adult[adult["hours_per_week"] == 40].iloc[8000:]
    hours = drift_of(current, reference, ["hours_per_week"])["details"]["features"]
    assert hours["hours_per_week"]["drifted"] is False


@pytest.mark.parametrize(
    ("column", "reference", "current"),
    [
        ("marital_status", "Never-married", "Married-spouse-absent"),
        ("relationship", "Husband", "Wife"),
        ("race", "White", "Amer-Indian-Eskimo"),
        ("sex", "Male", "Female"),
    ],
)
def test_psi_of_a_sketched_column_is_within_its_reported_bound(adult, column, reference, current):
    ref, cur = adult[adult[column] == reference], adult[adult[column] == current]
    fnlwgt = drift_of(cur, ref, ["fnlwgt"])["details"]["features"]["fnlwgt"]
    assert not fnlwgt["exact"]  # over 4,096 distinct values: bucketed
    expected = textbook_psi(ref["fnlwgt"].to_numpy(float), cur["fnlwgt"].to_numpy(float))
    assert abs(fnlwgt["psi"] - expected) <= fnlwgt["psi_error_bound"] + 1e-12


def test_psi_of_an_exact_column_reports_a_zero_bound(adult):
    ref, cur = adult[adult["sex"] == "Male"], adult[adult["sex"] == "Female"]
    age = drift_of(cur, ref, ["age"])["details"]["features"]["age"]
    assert age["psi_error_bound"] == 0
    assert age["psi"] == pytest.approx(
        textbook_psi(ref["age"].to_numpy(float), cur["age"].to_numpy(float)), abs=1e-12
    )


@pytest.mark.parametrize(
    ("column", "value"), [("race", "White"), ("native_country", "United-States")]
)
def test_large_sample_ks_p_values_are_within_3e_6_of_scipy(adult, column, value):
    current = adult[adult[column] == value]  # against all rows: nm / (n + m) over 15,000
    features = ["age", "education_num", "hours_per_week", "capital_gain"]
    details = drift_of(current, adult, features)["details"]["features"]
    for feature in features:
        expected = ks_2samp(current[feature], adult[feature], method="asymp")
        assert details[feature]["statistic"] == pytest.approx(expected.statistic, abs=1e-12)
        assert details[feature]["p_value"] == pytest.approx(expected.pvalue, abs=3e-6), feature

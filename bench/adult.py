"""UCI Adult as the benchmarks read it: its columns, its numeric features, and the file from the
shared data sets (../shared/datasets/adult.data, see its SOURCES.md)."""

from pathlib import Path

import pandas as pd

ADULT_PATH = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "adult.data"
COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation",
    "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week",
    "native_country", "income",
]  # fmt: skip
NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]


def adult_read() -> pd.DataFrame:
    """Every row of Adult's training file, "?" read as missing."""
    return pd.read_csv(ADULT_PATH, header=None, names=COLUMNS, skipinitialspace=True, na_values="?")

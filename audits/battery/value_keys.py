"""Class and group values as JSON strings (the contract's rule): one spelling per value."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

MISSING = "(missing)"


def key_of(value) -> str:
    """``1``, ``1.0`` and ``np.int64(1)`` are all "1"; other floats use repr; NaN is MISSING."""
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return MISSING
    if value is pd.NA or value is pd.NaT:
        return MISSING
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        value = float(value)
        return str(int(value)) if value.is_integer() and abs(value) < 2**63 else repr(value)
    return str(value)


def factorize(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes and the string key of each code; missing values get the key MISSING."""
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        # dictionary-encoded input: its codes already are a factorization (unused categories
        # get no rows, and every consumer skips empty codes)
        codes = np.asarray(values.cat.codes, dtype=np.int64)
        uniques = values.cat.categories
    else:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    keys = [key_of(v) for v in uniques]
    if (codes < 0).any():
        codes = np.where(codes < 0, len(keys), codes)
        keys.append(MISSING)
    merged = sorted(set(keys))
    if len(merged) != len(keys):  # e.g. 1 and 1.0 in one object column
        index = {k: i for i, k in enumerate(merged)}
        codes = np.asarray([index[k] for k in keys], dtype=np.int64)[codes]
        keys = merged
    return np.asarray(codes, dtype=np.int64), keys


def codes_for(values: pd.Series, classes: list[str]) -> np.ndarray:
    """Index of each value's key in ``classes``; -1 for missing or unknown values."""
    local, keys = factorize(values)
    index = {k: i for i, k in enumerate(classes)}
    lookup = np.asarray([index.get(k, -1) if k != MISSING else -1 for k in keys] + [-1], np.int64)
    return lookup[local]


def counts_by_key(values: pd.Series) -> dict[str, int]:
    """Count of each key among the values (missing values under MISSING)."""
    codes, keys = factorize(values)
    counts = np.bincount(codes, minlength=len(keys))
    return {k: int(n) for k, n in zip(keys, counts, strict=True) if n}


def sort_keys(keys) -> list[str]:
    """Numeric keys in numeric order, then the others in string order."""

    def order(k: str):
        try:
            return (0, float(k), k)
        except ValueError:
            return (1, 0.0, k)

    return sorted(keys, key=order)

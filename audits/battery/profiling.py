"""Profiling a data set in one streaming pass: the facts about its target columns that decide the
task and its problems (value counts, missing and non-numeric cells, probability sums), and the kind
(numeric or categorical) of every column read. Profiles of chunks merge (stats.merge)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from . import io, mapping
from .location import located
from .stats.merge import merge
from .task_kind import MAX_CLASSES, SUM_TOLERANCE
from .value_keys import counts_by_key


def is_numeric(series: pd.Series) -> bool:
    """Numbers, not booleans (pandas counts bool as numeric)."""
    return pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series)


def _target_profile(frame: pd.DataFrame, m: dict, kinds: bool) -> dict:
    """Mergeable facts about one chunk's target columns (and every column's kind for CSV)."""
    out: dict = {"rows": len(frame)}
    for role in ("label", "prediction"):
        col = m[role]
        if col:
            s = frame[col]
            numeric = is_numeric(s)
            continuous = False
            if numeric:
                values = s.to_numpy(np.float64, na_value=np.nan)
                continuous = bool(np.any(np.isfinite(values) & (values != np.round(values))))
            out[role] = {
                "missing": int(s.isna().sum()),
                "numeric": int(numeric),
                "text": int(not numeric and s.notna().any()),
                "continuous": int(continuous),
                **_value_counts(s, continuous),
            }
    for col in [m["score"], *(m["probabilities"] or [])]:
        if col:
            out.setdefault("scores", {})[col] = _score_profile(frame[col])
    if m["probabilities"]:
        probs = frame[m["probabilities"]].apply(pd.to_numeric, errors="coerce")
        total = probs.sum(axis=1, min_count=len(m["probabilities"])).to_numpy(np.float64)
        out["sum_off"] = int(np.sum(np.isfinite(total) & (np.abs(total - 1) > SUM_TOLERANCE)))
    if kinds:
        out["kinds"] = {
            c: {"numeric": int(is_numeric(frame[c]) or frame[c].isna().all())} | {"chunks": 1}
            for c in frame.columns
        }
    return out


def _value_counts(s: pd.Series, continuous: bool) -> dict:
    """Counts per value, or ``many`` when a chunk holds more values than any classifier's."""
    counts = {} if continuous else counts_by_key(s.dropna())
    many = len(counts) > 10 * MAX_CLASSES
    return {"counts": {} if many else counts, "many": int(many)}


def _score_profile(s: pd.Series) -> dict:
    """Missing, non-numeric (with an example) and out-of-[0, 1] counts of a score column."""
    missing = s.isna()
    x = pd.to_numeric(s, errors="coerce") if not is_numeric(s) else s
    x = x.to_numpy(np.float64, na_value=np.nan)
    bad = ~missing.to_numpy() & ~np.isfinite(x)
    example = str(s[bad].iloc[0])[:40] if bad.any() else None
    return {
        "missing": int(missing.sum()),
        "non_numeric": int(bad.sum()),
        "example": {"__merge__": "min", "value": example},
        "outside": int(np.sum((x < 0) | (x > 1))),
    }


def kinds_from_schema(source: io.Source, cols: list[str]) -> dict[str, str]:
    """Each column's kind from a Parquet schema's types (or a DataFrame's dtypes)."""
    if source.format == "frame":
        frame = source.in_memory()
        return {c: "numeric" if is_numeric(frame[c]) else "categorical" for c in cols}
    schema = located(source.file()).parquet().schema_arrow
    out = {}
    for c in cols:
        t = schema.field(c).type
        numeric = pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)
        numeric = numeric or pa.types.is_temporal(t)
        out[c] = "numeric" if numeric else "categorical"
    return out


def profile(source: io.Source, m: dict, rows_per_chunk: int) -> tuple[dict, list[list[int]]]:
    """The merged profile of the target columns (every column's kind too, for CSV), in one
    streaming pass that also counts a CSV file's rows; and the set's chunk plan."""
    csv = source.textual
    cols = mapping.columns_to_read(m) if csv else mapping.target_columns(m)
    # CSV rows are unknown until this pass: it streams in chunks of rows_per_chunk
    chunks = [[0, rows_per_chunk]] if csv else io.plan_chunks(source, rows_per_chunk)
    profile = None
    for frame in io.iter_chunks(source, cols, chunks):
        profile = merge(profile, _target_profile(frame, m, csv))
    if profile is None:
        profile = _target_profile(pd.DataFrame({c: [] for c in cols}), m, csv)
    source.rows = profile["rows"]
    return profile, io.plan_chunks(source, rows_per_chunk)


def kinds_from_profile(merged: dict) -> dict[str, str]:
    """Each CSV column's kind: numeric when every chunk read it as numbers."""
    return {
        c: "numeric" if v["numeric"] == v["chunks"] else "categorical"
        for c, v in merged.get("kinds", {}).items()
    }

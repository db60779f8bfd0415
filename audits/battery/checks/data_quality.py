"""data_quality: is the evaluation set itself sound?

Missing cells per mapped column (share = missing / rows), duplicate rows over the columns read
(a row equal to an earlier one; exact up to 65,536 distinct rows, else estimated from a hash
sample, see stats/merge.py), constant columns (min = max over non-missing values), label balance
(minority share = smallest class count / rows) and schema differences against the reference
(mapped columns it lacks, or holds with another kind).
"""

from __future__ import annotations

import numpy as np

from ..mapping import columns_to_read
from ..profiling import is_numeric
from ..run_spec import DataSetSpec, RunSpec
from ..stats.merge import distinct_sample, duplicate_rows, extreme
from ..value_keys import MISSING
from .base import Check, Measurement, info


def _range(chunk, col: str) -> tuple:
    if is_numeric(chunk.frame[col]) or kind_of(chunk, col) == "numeric":
        x = chunk.finite(col)
        return (float(x.min()), float(x.max())) if len(x) else (None, None)
    codes, keys = chunk.groups(col)
    rows = np.bincount(codes, minlength=len(keys))
    keys = [k for k, n in zip(keys, rows, strict=True) if n and k != MISSING]
    return (min(keys), max(keys)) if keys else (None, None)


def kind_of(chunk, col: str) -> str:
    """Either "numeric" or "categorical", as the spec fixed it for this role."""
    kinds = chunk.spec.kinds_of(chunk.role)
    return kinds.get(col, "categorical")


class DataQuality(Check):
    """Missing cells, duplicate rows, constant columns, label balance, schema differences."""

    id = "data_quality"
    title = "Data quality"
    roles = ("current", "reference")

    def accumulate(self, chunk) -> dict:
        columns = {}
        for col in chunk.frame.columns:
            lo, hi = _range(chunk, col)
            columns[col] = {
                "missing": chunk.missing(col),
                "min": extreme("min", lo),
                "max": extreme("max", hi),
            }
        state = {"rows": len(chunk), "columns": columns}
        if chunk.role == "current":
            state["distinct"] = distinct_sample(chunk.row_hashes)
            if chunk.task != "regression":
                state["labels"] = np.bincount(chunk.y, minlength=chunk.k).tolist()
        return state

    def measure(self, stats: dict, spec: RunSpec) -> Measurement:
        s = stats["current"]
        rows = s["rows"]
        cols = columns_to_read(spec.mapping)
        missing = {c: s["columns"][c]["missing"] for c in cols}
        constant = sorted(c for c in cols if _constant(s["columns"][c]))
        dup, exact = duplicate_rows(s["distinct"])
        metrics = {
            "missing_cell_share": sum(missing.values()) / (rows * len(cols))
            if rows and cols
            else 0.0,
            "max_column_missing_share": max(missing.values()) / rows if rows and cols else 0.0,
            "duplicate_row_share": dup / rows if rows else 0.0,
            "constant_column_count": len(constant),
        }
        details = {
            "rows": rows,
            "missing": {
                c: {"count": n, "share": n / rows if rows else 0.0} for c, n in missing.items()
            },
            "duplicate_rows": dup,
            "duplicate_rows_exact": exact,
            "constant_columns": constant,
        }
        findings = []
        if not exact:
            findings.append(
                info("duplicate rows estimated from a hash sample (over 65,536 distinct rows)")
            )
        if "labels" in s:
            counts = dict(zip(spec.classes, s["labels"], strict=True))
            details["label_counts"] = counts
            metrics["label_minority_share"] = min(counts.values()) / rows if rows else None
        if spec.reference:
            diffs = _schema_differences(spec.kinds, spec.reference)
            details["schema_differences"] = diffs
            metrics["schema_difference_count"] = len(diffs)
            ref = stats.get("reference") or {}
            details["reference_missing"] = {
                c: v["missing"] for c, v in sorted(ref.get("columns", {}).items())
            }
        for diff in details.get("schema_differences", []):
            findings.append(info(f"column '{diff['column']}': {diff['difference']}"))
        return Measurement(metrics, details, findings)


def _constant(col: dict) -> bool:
    lo, hi = col["min"]["value"], col["max"]["value"]
    return lo is None or lo == hi


def _schema_differences(kinds: dict[str, str], ref: DataSetSpec) -> list[dict]:
    out = []
    for col, kind in kinds.items():
        if col not in ref.columns:
            out.append({"column": col, "difference": "missing from the reference"})
        elif ref.kinds.get(col, kind) != kind:
            out.append(
                {"column": col, "difference": f"{kind} here, {ref.kinds[col]} in the reference"}
            )
    return out

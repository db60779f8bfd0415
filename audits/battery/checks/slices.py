"""slices: the performance figures per value of each slice column, with 95% intervals.

Classification: accuracy per slice with its Wilson interval, plus macro F1; regression: MAE with
a normal interval. Slices with fewer than ``min_support`` rows are reported with ``judged:
false``. The worst judged slice is the lowest accuracy (highest MAE); its gap is
overall - worst accuracy (worst - overall MAE), so a larger gap is worse.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import metrics as mx
from ..chunk import grouped_confusion, grouped_sums
from ..run_spec import RunSpec
from .base import Check, Measurement, info


class Slices(Check):
    """Metrics per slice value with 95% intervals; the worst judged slice and its gap."""

    id = "slices"
    title = "Slices"
    requires = frozenset({"predictions", "slices"})

    def accumulate(self, chunk) -> dict:
        cols = chunk.mapping["slices"]
        if chunk.task == "regression":
            e = chunk.prediction - chunk.y
            values = {"abs": np.abs(e), "abs_sq": e * e}
            return {c: grouped_sums(chunk, c, values) for c in cols}
        return {c: grouped_confusion(chunk, c) for c in cols}

    def measure(self, stats: dict, spec: RunSpec) -> Measurement:
        regression = spec.task == "regression"
        support = spec.options["min_support"]
        per_column: dict = {}
        candidates = []
        total = _totals(stats["current"], regression)
        for col, groups in stats["current"].items():
            rows = {}
            for key, g in sorted(groups.items()):
                row = _regression_row(g) if regression else _classification_row(g, spec.classes)
                row["judged"] = row["n"] >= support
                rows[key] = row
                if row["judged"]:
                    candidates.append((col, key, row))
            per_column[col] = rows
        metric = "mean_absolute_error" if regression else "accuracy"
        overall = total[metric]
        worst = None
        if candidates:
            pick = max if regression else min
            col, key, row = pick(candidates, key=lambda t: t[2][metric])
            gap = (row[metric] - overall) if regression else (overall - row[metric])
            worst = {
                "column": col,
                "value": key,
                "metric": metric,
                metric: row[metric],
                "overall": overall,
                "gap": gap,
                "n": row["n"],
            }
        findings = []
        small = sum(1 for rows in per_column.values() for r in rows.values() if not r["judged"])
        if small:
            findings.append(
                info(f"{small} slices have fewer than {support} rows: reported, not judged")
            )
        metrics = {
            "worst_slice_gap_difference": worst["gap"] if worst else None,
            f"worst_slice_{metric}": worst[metric] if worst else None,
        }
        details = {"slices": per_column, "worst": worst, "min_support": support, "overall": total}
        return Measurement(metrics, details, findings)


def _classification_row(cm_list, classes) -> dict:
    cm = np.asarray(cm_list, dtype=np.int64)
    n = int(cm.sum())
    correct = int(np.trace(cm))
    lo, hi = mx.wilson(correct, n)
    table = mx.per_class(cm, classes)
    return {
        "n": n,
        "accuracy": correct / n if n else None,
        "accuracy_ci": [lo, hi],
        "macro_f1_score": mx.averages(table)["macro_f1_score"],
    }


def _regression_row(g: dict) -> dict:
    n = g["n"]
    lo, hi = mx.mean_interval(g["abs"], g["abs_sq"], n)
    return {"n": n, "mean_absolute_error": g["abs"] / n, "mean_absolute_error_ci": [lo, hi]}


def _totals(state: dict, regression: bool) -> dict:
    first: dict[str, Any] = next(iter(state.values()), {})
    if regression:
        n = sum(g["n"] for g in first.values())
        return {
            "n": n,
            "mean_absolute_error": sum(g["abs"] for g in first.values()) / n if n else None,
        }
    cms = [np.asarray(v) for v in first.values()]
    cm = np.sum(cms, axis=0) if cms else np.zeros((1, 1))
    return {"n": int(cm.sum()), "accuracy": float(np.trace(cm) / cm.sum()) if cm.sum() else None}

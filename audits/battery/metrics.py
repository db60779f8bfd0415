"""Metrics from counts: per-class precision / recall / F1, group rates, Wilson intervals.

A rate with an empty denominator is None. Macro averages follow scikit-learn's defaults: over
the classes present among labels or predictions, an undefined figure counting as 0
(``zero_division=0``); a class in neither is left out, and the check names it. Differences across
groups leave a group with an undefined rate out (fairlearn counts it as 0, which would make a
group with no positive labels look like a TPR gap), and the fairness check names those groups.
"""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054


def _div(a, b):
    return float(a) / float(b) if b else None


def per_class(cm: np.ndarray, classes: list[str]) -> dict:
    """precision = TP/(TP+FP), recall = TP/(TP+FN), f1 = 2PR/(P+R), support = TP+FN per class."""
    out = {}
    for i, cls in enumerate(classes):
        tp = cm[i, i]
        p, r = _div(tp, cm[:, i].sum()), _div(tp, cm[i, :].sum())
        f1 = (
            2 * p * r / (p + r)
            if p is not None and r is not None and p + r > 0
            else (0.0 if p is not None and r is not None else None)
        )
        out[cls] = {"precision": p, "recall": r, "f1": f1, "support": int(cm[i, :].sum())}
    return out


def present(table: dict) -> list[str]:
    """Classes among the labels or the predictions (scikit-learn's default ``labels``)."""
    return [c for c, v in table.items() if v["support"] > 0 or v["precision"] is not None]


def averages(table: dict) -> dict:
    """Macro (plain mean over the present classes, undefined as 0) and weighted (by support)
    P / R / F1, as scikit-learn's ``average="macro"`` / ``"weighted"``."""
    rows = [table[c] for c in present(table)]
    total = sum(v["support"] for v in rows)
    out = {}
    for name in ("precision", "recall", "f1"):
        vals = [(v[name] or 0.0, v["support"]) for v in rows]
        out[f"macro_{name}_score"] = float(np.mean([v for v, _ in vals])) if vals else None
        out[f"weighted_{name}_score"] = _div(sum(v * s for v, s in vals), total)
    return out


def binary_rates(tp: int, fp: int, tn: int, fn: int) -> dict:
    """Selection rate, TPR, FPR, FNR, precision, accuracy of one group (fairlearn's names)."""
    n = tp + fp + tn + fn
    return {
        "n": int(n),
        "selection_rate": _div(tp + fp, n),
        "tpr": _div(tp, tp + fn),
        "fpr": _div(fp, fp + tn),
        "fnr": _div(fn, tp + fn),
        "precision": _div(tp, tp + fp),
        "accuracy": _div(tp + tn, n),
    }


def one_vs_rest(cm: np.ndarray, index: int) -> tuple[int, int, int, int]:
    """TP, FP, TN, FN of class ``index`` against the rest."""
    tp = int(cm[index, index])
    fp = int(cm[:, index].sum() - tp)
    fn = int(cm[index, :].sum() - tp)
    return tp, fp, int(cm.sum() - tp - fp - fn), fn


def spread(values) -> tuple[float | None, float | None]:
    """max - min and min / max of the defined values (None when fewer than one / max is 0)."""
    vals = [v for v in values if v is not None]
    if not vals:
        return None, None
    hi, lo = max(vals), min(vals)
    return hi - lo, (lo / hi if hi > 0 else None)


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float | None, float | None]:
    """Wilson score interval: (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)."""
    if not n:
        return None, None
    p = successes / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


def mean_interval(total: float, total_sq: float, n: int, z: float = Z95):
    """Normal interval for a mean from its sum and sum of squares (sample variance)."""
    if n < 2:
        return None, None
    mean = total / n
    var = max(total_sq - n * mean * mean, 0.0) / (n - 1)
    half = z * math.sqrt(var / n)
    return mean - half, mean + half

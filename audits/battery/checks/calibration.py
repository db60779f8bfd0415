"""calibration: do predicted probabilities match observed frequencies?

Confidence c and outcome o: binary, c = score and o = [label is positive] (scikit-learn's
``calibration_curve``); multiclass, c = max_k p_k and o = [argmax is the label] (top-label).
Equal-width bins b on [0, 1] (``searchsorted`` as scikit-learn): ECE = sum_b n_b/N |mean o_b -
mean c_b|, MCE = max_b |mean o_b - mean c_b|, Brier = mean sum_k (p_k - [y=k])^2 (binary: mean
(s - o)^2). ECE per group for each sensitive attribute and their intersection.
"""

from __future__ import annotations

import numpy as np

from ..chunk import attributes
from ..run_spec import RunSpec
from .base import Check, Measurement


def confidence(chunk) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Confidence, outcome (0/1) and per-row squared error summed over classes."""
    y = chunk.y
    if chunk.score is not None:
        s = chunk.score
        o = (y == chunk.positive_index).astype(np.float64)
        return s, o, (s - o) ** 2
    probs = chunk.probabilities
    onehot = np.zeros_like(probs)
    onehot[np.arange(len(y)), y] = 1.0
    conf = probs.max(axis=1)
    return conf, (np.argmax(probs, axis=1) == y).astype(np.float64), ((probs - onehot) ** 2).sum(1)


def _bins(conf, outcome, ids, n_bins) -> dict:
    return {
        "n": np.bincount(ids, minlength=n_bins).tolist(),
        "conf": np.bincount(ids, weights=conf, minlength=n_bins).tolist(),
        "hits": np.bincount(ids, weights=outcome, minlength=n_bins).tolist(),
    }


def summarize(b: dict) -> tuple[float | None, float | None, list[dict]]:
    """ECE, MCE and the reliability table from binned counts and sums."""
    n = np.asarray(b["n"], dtype=np.float64)
    total = n.sum()
    if total == 0:
        return None, None, []
    filled = n > 0
    conf = np.divide(b["conf"], n, out=np.zeros_like(n), where=filled)
    freq = np.divide(b["hits"], n, out=np.zeros_like(n), where=filled)
    gap = np.abs(freq - conf)
    edges = np.linspace(0, 1, len(n) + 1)
    table = [
        {
            "lower": float(edges[i]),
            "upper": float(edges[i + 1]),
            "n": int(n[i]),
            "mean_confidence": float(conf[i]) if filled[i] else None,
            "observed_frequency": float(freq[i]) if filled[i] else None,
        }
        for i in range(len(n))
    ]
    return float(np.sum(n / total * gap)), float(gap[filled].max()), table


class Calibration(Check):
    """Reliability bins, ECE, MCE, Brier, ECE per group (formulas above)."""

    id = "calibration"
    title = "Calibration"
    requires = frozenset({"scores", "classification"})

    def accumulate(self, chunk) -> dict:
        n_bins = chunk.spec.options["calibration_bins"]
        conf, outcome, sq = confidence(chunk)
        ids = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], conf)
        state = {
            "overall": _bins(conf, outcome, ids, n_bins),
            "sq": float(sq.sum()),
            "rows": len(conf),
        }
        groups = {}
        for attr in attributes(chunk.spec):
            codes, keys = chunk.groups(attr)
            flat = codes * n_bins + ids
            cube = _bins(conf, outcome, flat, len(keys) * n_bins)
            groups[attr] = {
                key: {name: v[i * n_bins : (i + 1) * n_bins] for name, v in cube.items()}
                for i, key in enumerate(keys)
                if any(cube["n"][i * n_bins : (i + 1) * n_bins])
            }
        state["groups"] = groups
        return state

    def measure(self, stats: dict, spec: RunSpec) -> Measurement:
        s = stats["current"]
        ece, mce, table = summarize(s["overall"])
        support = spec.options["min_support"]
        per_group: dict[str, dict] = {}
        worst = None
        for attr, groups in s["groups"].items():
            per_group[attr] = {}
            for key, b in sorted(groups.items()):
                g_ece, g_mce, _ = summarize(b)
                n = int(sum(b["n"]))
                per_group[attr][key] = {"n": n, "ece": g_ece, "mce": g_mce, "judged": n >= support}
                if n >= support and g_ece is not None and (worst is None or g_ece > worst[0]):
                    worst = (g_ece, attr, key)
        metrics = {
            "ece": ece,
            "mce": mce,
            "brier": s["sq"] / s["rows"] if s["rows"] else None,
            "max_group_ece": worst[0] if worst else None,
        }
        details = {
            "bins": table,
            "per_group": per_group,
            "confidence": "score of the positive class" if spec.task == "binary" else "top-label",
            "worst_group": {"attribute": worst[1], "value": worst[2]} if worst else None,
        }
        return Measurement(metrics, details)

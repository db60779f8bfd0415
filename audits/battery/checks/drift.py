"""drift: has each feature's distribution moved from the reference's?

Numeric features: two-sample KS (D, asymptotic p), Wasserstein-1 distance W and W / std(ref),
PSI on the reference's deciles -- from sketches, exact while a feature has at most 4096
distinct values, else within the reported ``*_error_bound`` (KS, Wasserstein and PSI; see
stats/sketch.py). Categorical
features: chi-square on the 2 x K table of counts (SciPy's ``chi2_contingency``), Jensen-Shannon
distance (base 2), PSI over categories. Decision, recorded per feature: with at most
SMALL_SAMPLE rows on either side, drifted when p < P_VALUE; otherwise drifted when W / std >=
0.1 (numeric; KS D >= 0.1 when the reference is constant, as W / std is then undefined) or
JS >= 0.1 (categorical), since p-values flag trivial shifts at scale.
Prediction and score drift are measured the same way; drift_share = drifted / compared features.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency

from ..run_spec import RunSpec
from ..stats import sketch as sk
from ..stats.merge import categories, moments, std
from ..value_keys import MISSING
from .base import Check, Measurement, info

SMALL_SAMPLE = 1000
P_VALUE = 0.05
DISTANCE = 0.1


def _numeric(x: np.ndarray, finite: np.ndarray | None = None) -> dict:
    finite = x[np.isfinite(x)] if finite is None else finite
    return {
        "kind": "numeric",
        "missing": int(len(x) - len(finite)),
        "sketch": sk.sketch(finite),
        "moments": moments(finite),
    }


def _categorical(codes: np.ndarray, keys: list[str]) -> dict:
    n = np.bincount(codes, minlength=len(keys))
    counts = {k: int(c) for k, c in zip(keys, n, strict=True) if c}
    missing = counts.pop(MISSING, 0)
    return {"kind": "categorical", "missing": missing, "counts": categories(counts)}


class Drift(Check):
    """Per-feature, prediction and score drift against the reference (decision rule above)."""

    id = "drift"
    title = "Drift"
    requires = frozenset({"reference"})
    roles = ("current", "reference")

    def accumulate(self, chunk) -> dict:
        spec = chunk.spec
        kinds = spec.kinds_of(chunk.role)
        features = {}
        for col in spec.mapping["features"]:
            if chunk.has(col):
                kind = kinds.get(col, "categorical")
                features[col] = (
                    _numeric(chunk.numeric(col), chunk.finite(col))
                    if kind == "numeric"
                    else _categorical(*chunk.groups(col))
                )
        state = {"features": features}
        if chunk.prediction is not None:
            p = chunk.prediction
            if chunk.task == "regression":
                state["prediction"] = _numeric(p)
            else:
                codes = np.where(p < 0, len(chunk.classes), p)
                state["prediction"] = _categorical(codes, [*chunk.classes, MISSING])
        if chunk.score is not None:
            state["score"] = _numeric(chunk.score)
        return state

    def measure(self, stats: dict, spec: RunSpec) -> Measurement:
        cur, ref = stats["current"], stats["reference"]
        findings, features = [], {}
        for col in spec.mapping["features"]:
            a, b = cur["features"].get(col), ref["features"].get(col)
            if b is None:
                findings.append(info(f"feature '{col}' is not in the reference: not compared"))
                continue
            if a["kind"] != b["kind"]:
                findings.append(
                    info(f"feature '{col}' is {a['kind']} here, {b['kind']} in the reference")
                )
                continue
            result = compare(b, a)
            if result is None:
                findings.append(
                    info(f"feature '{col}' has too many categories or no values to compare")
                )
                continue
            features[col] = result
        drifted = sorted(c for c, r in features.items() if r["drifted"])
        metrics: dict[str, Any] = {
            "drift_share": len(drifted) / len(features) if features else None,
            "drifted_feature_count": len(drifted),
        }
        details: dict[str, Any] = {
            "features": features,
            "drifted": drifted,
            "reference_rows": spec.reference.rows if spec.reference else None,
        }
        for name in ("prediction", "score"):
            if name in cur and name in ref:
                compared = compare(ref[name], cur[name])
                details[name] = compared
                if compared is not None:
                    metrics[f"{name}_psi"] = compared["psi"]
        return Measurement(metrics, details, findings)


def compare(ref: dict, cur: dict) -> dict | None:
    """Tests, distances and the drift decision between a reference and a current statistic."""
    if ref["kind"] == "numeric":
        n, m = sk.total(ref["sketch"]), sk.total(cur["sketch"])
        if not n or not m:
            return None
        pair = sk.Aligned(ref["sketch"], cur["sketch"])
        d, p, d_err = sk.ks(pair)
        w, w_err = sk.wasserstein(pair)
        psi, psi_bound = sk.psi(pair)
        sd = std(ref["moments"])
        normed = w / sd if sd else (0.0 if w == 0 else None)
        out = {
            "kind": "numeric",
            "method": "ks",
            "statistic": d,
            "p_value": p,
            "ks_error_bound": d_err,
            "wasserstein": w,
            "wasserstein_error_bound": w_err,
            "wasserstein_normed": normed,
            "psi": psi,
            "psi_error_bound": psi_bound,
            "exact": ref["sketch"]["exact"] and cur["sketch"]["exact"],
        }
        # W / std is undefined for a constant reference: D is then the share of current rows
        # off the reference's one value (on its larger side), a distance on the same scale
        distance = ("wasserstein_normed", normed) if sd else ("statistic", d)
    else:
        if ref["counts"]["overflow"] or cur["counts"]["overflow"]:
            return None
        keys = sorted(set(ref["counts"]["counts"]) | set(cur["counts"]["counts"]))
        table = np.array(
            [
                [ref["counts"]["counts"].get(k, 0) for k in keys],
                [cur["counts"]["counts"].get(k, 0) for k in keys],
            ],
            dtype=np.float64,
        )
        n, m = table[0].sum(), table[1].sum()
        if not n or not m:
            return None
        if len(keys) > 1:
            chi = chi2_contingency(table)
            stat, p = float(chi.statistic), float(chi.pvalue)
        else:
            stat, p = 0.0, 1.0
        js = float(jensenshannon(table[0] / n, table[1] / m, base=2))
        r, c = np.maximum(table[0] / n, sk.PSI_FLOOR), np.maximum(table[1] / m, sk.PSI_FLOOR)
        out = {
            "kind": "categorical",
            "method": "chi_square",
            "statistic": stat,
            "p_value": p,
            "jensen_shannon": js,
            "psi": float(np.sum((c - r) * np.log(c / r))),
            "categories": len(keys),
        }
        distance = ("jensen_shannon", js)
    small = min(n, m) <= SMALL_SAMPLE
    if small:
        out["decision"] = {"by": "p_value", "threshold": P_VALUE}
        out["drifted"] = bool(out["p_value"] < P_VALUE)
    else:
        out["decision"] = {"by": distance[0], "threshold": DISTANCE}
        out["drifted"] = bool(distance[1] is not None and distance[1] >= DISTANCE)
    out.update(reference_missing=ref["missing"], current_missing=cur["missing"])
    return out

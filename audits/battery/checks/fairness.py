"""fairness: group rates and their gaps for each sensitive attribute and their intersection.

Per group: n, selection rate P(pred=+), TPR, FPR, FNR, precision, accuracy. Per attribute:
demographic parity difference max-min selection rate and ratio min/max, equalized odds
difference max(TPR gap, FPR gap), equal opportunity difference (TPR gap) -- fairlearn's
definitions; multiclass is one-vs-rest per class, the attribute's figures the worst class. The
four-fifths flag (ratio < 0.8) is an indicator, not a verdict. Headline metrics are the worst
attribute, over groups with at least ``min_support`` rows. A group whose TPR (FPR) is undefined
(no positive / negative labels) is left out of that gap and named in a finding and in
``groups_left_out`` (fairlearn counts the rate as 0). Binary labels of one class with no
declared positive class give per-group n and accuracy only, and a warn finding.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import metrics as mx
from ..chunk import attributes, grouped_confusion
from ..run_spec import RunSpec
from ..task_kind import UNKNOWN_POSITIVE
from .base import Check, Measurement, info

FOUR_FIFTHS = 0.8
FOUR_FIFTHS_CONTEXT = (
    "Four-fifths rule of thumb (US EEOC Uniform Guidelines, 29 CFR 1607.4(D)): a selection rate "
    "below 80% of the highest group's is evidence of possible adverse impact that calls for "
    "review; it is not a legal finding of discrimination, and other jurisdictions use other tests."
)
_GAPS = (
    "demographic_parity_difference",
    "equalized_odds_difference",
    "equal_opportunity_difference",
)


def gaps(groups: dict) -> dict:
    """fairlearn's difference and ratio metrics over the given groups' rates."""
    dpd, dpr = mx.spread(g["selection_rate"] for g in groups.values())
    tpr, _ = mx.spread(g["tpr"] for g in groups.values())
    fpr, _ = mx.spread(g["fpr"] for g in groups.values())
    eod = None if tpr is None and fpr is None else max(v for v in (tpr, fpr) if v is not None)
    return {
        "demographic_parity_difference": dpd,
        "demographic_parity_ratio": dpr,
        "equalized_odds_difference": eod,
        "equal_opportunity_difference": tpr,
    }


class Fairness(Check):
    """Group rates and fairlearn-style gaps per sensitive attribute and intersection."""

    id = "fairness"
    title = "Fairness"
    requires = frozenset({"predictions", "sensitive", "classification"})

    def accumulate(self, chunk) -> dict:
        return {a: grouped_confusion(chunk, a) for a in attributes(chunk.spec)}

    def measure(self, stats: dict, spec: RunSpec) -> Measurement:
        support = spec.options["min_support"]
        classes = spec.classes
        binary = spec.task == "binary"
        pos = classes.index(spec.positive) if binary and spec.positive in classes else None
        out: dict[str, dict] = {}
        headline: dict[str, tuple[float, str]] = {}
        findings: list[dict] = []
        if binary and pos is None:
            findings.append(info(f"rates and gaps not computed: {UNKNOWN_POSITIVE}"))
        for attr in attributes(spec):
            cms = {k: np.asarray(v) for k, v in sorted(stats["current"].get(attr, {}).items())}
            if binary and pos is not None:
                entry = _binary(cms, pos, support)
            else:
                entry = _multiclass(cms, classes if not binary else [], support)
            out[attr] = entry
            findings += _left_out(attr, entry)
            for name in (*_GAPS, "demographic_parity_ratio"):
                value = entry["supported"][name]
                if value is None:
                    continue
                worse = min if name.endswith("ratio") else max
                if name not in headline or worse(value, headline[name][0]) == value:
                    headline[name] = (value, attr)
            if entry["four_fifths_flag"]:
                findings.append(
                    info(
                        f"four-fifths flag on '{attr}': selection-rate ratio "
                        f"{entry['supported']['demographic_parity_ratio']:.3f} < 0.8. "
                        + FOUR_FIFTHS_CONTEXT,
                        metric="demographic_parity_ratio",
                    )
                )
        metrics = {
            name: headline[name][0] if name in headline else None
            for name in (*_GAPS, "demographic_parity_ratio")
        }
        metrics["four_fifths_flag"] = any(v["four_fifths_flag"] for v in out.values())
        if binary and pos is None:
            # measured, so the policy can judge it: a required check never passes with no figure
            metrics["uncomputed_rate_count"] = len(_GAPS) + 1
        details = {
            "attributes": out,
            "min_support": support,
            "four_fifths_context": FOUR_FIFTHS_CONTEXT,
            "worst_attribute": {k: v[1] for k, v in sorted(headline.items())},
        }
        return Measurement(metrics, details, findings)


def _binary(cms: dict, pos: int, support: int) -> dict:
    groups = {key: mx.binary_rates(*mx.one_vs_rest(cm, pos)) for key, cm in cms.items()}
    return _entry(groups, support)


def _entry(groups: dict, support: int) -> dict:
    judged = {k: g for k, g in groups.items() if g["n"] >= support}
    undefined = {r: sorted(k for k, g in groups.items() if g[r] is None) for r in ("tpr", "fpr")}
    entry = {
        "groups": groups,
        **gaps(groups),
        "supported": gaps(judged),
        "groups_below_min_support": sorted(set(groups) - set(judged)),
        "groups_left_out": {rate: keys for rate, keys in undefined.items() if keys},
    }
    ratio = entry["supported"]["demographic_parity_ratio"]
    entry["four_fifths_flag"] = ratio is not None and ratio < FOUR_FIFTHS
    return entry


_WHY = {"tpr": "TPR (no positive labels)", "fpr": "FPR (no negative labels)"}


def _left_out(attr: str, entry: dict) -> list[dict]:
    """Findings naming the groups whose TPR or FPR is undefined and so is left out of the gaps
    (fairlearn would count the rate as 0 and report a wider gap)."""
    scopes = (
        [(f" for class '{c}'", e) for c, e in entry["per_class"].items()]
        if "per_class" in entry
        else [("", entry)]
    )
    findings = []
    for scope, part in scopes:
        for rate, keys in part.get("groups_left_out", {}).items():
            names = ", ".join(f"'{k}'" for k in keys)
            findings.append(
                info(
                    f"'{attr}'{scope}: group(s) {names} left out of the {_WHY[rate]} gap of "
                    "equalized odds; fairlearn would count the rate as 0",
                    metric="equalized_odds_difference",
                )
            )
    return findings


def _multiclass(cms: dict, classes: list[str], support: int) -> dict:
    per_class = {}
    for i, cls in enumerate(classes):
        groups = {key: mx.binary_rates(*mx.one_vs_rest(cm, i)) for key, cm in cms.items()}
        per_class[cls] = _entry(groups, support)
    top: dict[str, dict[str, Any]] = {}
    for key, cm in cms.items():
        n = int(cm.sum())
        top[key] = {
            "n": n,
            "selection_rate": None,
            "tpr": None,
            "fpr": None,
            "fnr": None,
            "precision": None,
            "accuracy": float(np.trace(cm)) / n if n else None,
        }
    entry: dict[str, Any] = {"groups": top, "per_class": per_class}
    for scope in ("all", "supported"):
        worst: dict[str, float | None] = {}
        for name in (*_GAPS, "demographic_parity_ratio"):
            vals = [
                (c[name] if scope == "all" else c["supported"][name]) for c in per_class.values()
            ]
            vals = [v for v in vals if v is not None]
            pick = min if name.endswith("ratio") else max
            worst[name] = pick(vals) if vals else None
        if scope == "all":
            entry.update(worst)
        else:
            entry["supported"] = worst
    entry["four_fifths_flag"] = any(c["four_fifths_flag"] for c in per_class.values())
    entry["groups_below_min_support"] = sorted(k for k, g in top.items() if g["n"] < support)
    return entry

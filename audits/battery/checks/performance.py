"""performance: how well predictions match labels, overall and per class.

Classification: accuracy = trace(C)/n, balanced accuracy = mean recall, per-class precision /
recall / F1, macro and weighted averages (scikit-learn's: over classes among labels or
predictions, undefined as 0; a finding names each class left out), the confusion matrix C;
with scores, ROC AUC (one-vs-rest macro for multiclass), average precision (PR AUC) and log loss
-mean(ln clip(p_true, eps, 1-eps)). Regression: MAE = mean|e|, RMSE = sqrt(mean e^2),
R^2 = 1 - SSE/SST with e = prediction - label.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import metrics as mx
from ..run_spec import RunSpec
from ..stats import sketch as sk
from ..stats.merge import moments, std
from ..task_kind import UNKNOWN_POSITIVE
from .base import Check, Measurement, info

EPS = float(np.finfo(np.float64).eps)


def score_sketches(y: np.ndarray, s: np.ndarray, k: int) -> dict:
    """Sketches of a score among rows of each class code (for AUC / AP)."""
    return {str(c): sk.sketch(s[y == c], "grid") for c in range(k)}


class Performance(Check):
    """Overall and per-class figures (formulas above)."""

    id = "performance"
    title = "Performance"
    requires = frozenset({"predictions"})

    def accumulate(self, chunk) -> dict:
        y, p = chunk.y, chunk.prediction
        if chunk.task == "regression":
            e = p - y
            return {
                "n": len(y),
                "abs": float(np.sum(np.abs(e))),
                "sq": float(np.sum(e * e)),
                "y": moments(y),
            }
        k = chunk.k
        state: dict[str, Any] = {
            "cm": np.bincount(y * k + p, minlength=k * k).reshape(k, k).tolist()
        }
        if chunk.score is not None and chunk.positive_index is not None:
            pos = (y == chunk.positive_index).astype(np.int64)
            s = chunk.score
            state["scores"] = score_sketches(pos, s, 2)
            p_true = np.clip(np.where(pos == 1, s, 1 - s), EPS, 1 - EPS)
            state["log_loss_sum"] = float(-np.sum(np.log(p_true)))
        elif chunk.probabilities is not None:
            probs = chunk.probabilities
            state["ovr"] = {
                cls: score_sketches((y == i).astype(np.int64), probs[:, i], 2)
                for i, cls in enumerate(chunk.classes)
            }
            p_true = np.clip(probs[np.arange(len(y)), y], EPS, 1 - EPS)
            state["log_loss_sum"] = float(-np.sum(np.log(p_true)))
        return state

    def measure(self, stats: dict, spec: RunSpec) -> Measurement:
        s = stats["current"]
        if spec.task == "regression":
            return _regression(s)
        classes = spec.classes
        cm = np.asarray(s["cm"], dtype=np.int64)
        n = int(cm.sum())
        table = mx.per_class(cm, classes)
        recalls = [v["recall"] for v in table.values() if v["recall"] is not None]
        metrics = {
            "accuracy": mx._div(np.trace(cm), n),
            "balanced_accuracy_score": float(np.mean(recalls)) if recalls else None,
            **mx.averages(table),
        }
        details = {
            "per_class": table,
            "confusion_matrix": {"labels": classes, "matrix": cm.tolist()},
            "n": n,
            "prediction_source": spec.prediction_source,
        }
        findings = _left_out(table)
        if "scores" in s:
            pair = sk.Aligned(s["scores"]["1"], s["scores"]["0"])
            auc, auc_err = sk.roc_auc(pair)
            ap, ap_err = sk.average_precision(pair)
            metrics.update(roc_auc_score=auc, average_precision_score=ap)
            details.update(roc_auc_error_bound=auc_err, average_precision_error_bound=ap_err)
        elif "ovr" in s:
            pairs = [sk.Aligned(v["1"], v["0"]) for v in s["ovr"].values()]
            aucs = [sk.roc_auc(pair) for pair in pairs]
            aps = [sk.average_precision(pair) for pair in pairs]
            defined = [a for a, _ in aucs if a is not None]
            metrics["roc_auc_score"] = (
                float(np.mean(defined)) if len(defined) == len(aucs) else None
            )
            metrics["average_precision_score"] = float(
                np.mean([a for a, _ in aps if a is not None])
            )
            details.update(
                roc_auc_error_bound=float(np.mean([e for _, e in aucs])),
                average_precision_error_bound=float(np.mean([e for _, e in aps])),
                roc_auc_per_class={c: a for c, (a, _) in zip(s["ovr"], aucs, strict=True)},
            )
        if "log_loss_sum" in s:
            metrics["log_loss"] = s["log_loss_sum"] / n if n else None
        if metrics.get("roc_auc_score") is None and ("scores" in s or "ovr" in s):
            unlabelled = ", ".join(f"'{c}'" for c, v in table.items() if not v["support"])
            findings.append(
                info(
                    f"ROC AUC is undefined: no rows are labelled {unlabelled}; average precision "
                    "is undefined for such a class and left out of its mean (scikit-learn "
                    "would count 0)"
                )
            )
        if spec.task == "binary" and spec.positive is None:
            unknown = f"log loss, ROC AUC and average precision not computed: {UNKNOWN_POSITIVE}"
            findings.append(info(unknown))
        return Measurement(metrics, details, findings)


def _left_out(table: dict) -> list[dict]:
    """Findings naming the classes the averages leave out: balanced accuracy (as scikit-learn)
    skips classes no row is labelled with; macro averages skip classes in no label or
    prediction (declared in the mapping, absent from the rows)."""
    findings = []
    unlabelled = [c for c, v in table.items() if not v["support"]]
    if unlabelled:
        findings.append(
            info(
                "balanced accuracy leaves out class(es) "
                + ", ".join(f"'{c}'" for c in unlabelled)
                + ": no row has that label, so its recall is undefined (as scikit-learn)",
                metric="balanced_accuracy_score",
            )
        )
    absent = sorted(set(table) - set(mx.present(table)))
    if absent:
        findings.append(
            info(
                "macro averages leave out class(es) "
                + ", ".join(f"'{c}'" for c in absent)
                + ": declared, but in no label and no prediction",
                metric="macro_f1_score",
            )
        )
    return findings


def _regression(s: dict) -> Measurement:
    n = s["n"]
    sd = std(s["y"])
    sst = (sd * sd * n) if sd is not None else 0.0
    metrics = {
        "accuracy": None,
        "mean_absolute_error": s["abs"] / n if n else None,
        "root_mean_squared_error": math.sqrt(s["sq"] / n) if n else None,
        "r2_score": 1 - s["sq"] / sst if sst > 0 else None,
    }
    details = {
        "per_class": {},
        "confusion_matrix": {"labels": [], "matrix": []},
        "n": n,
        "note": "accuracy, per-class figures and the confusion matrix do not apply to regression",
    }
    return Measurement(metrics, details)

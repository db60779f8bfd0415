"""Confidence-based performance estimation (CBPE, as NannyML defines it) for binary classifiers.

Fitted once on a labelled reference, it estimates a batch's accuracy and ROC AUC from its scores
alone, each with NannyML's interval (estimate +/- 3 sampling errors), until realised labels arrive.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedShuffleSplit

from .errors import BatteryInputError, Problem

# NannyML's band: an estimate plus or minus three sampling errors (nannyml.sampling_error).
SAMPLING_ERROR_RANGE = 3.0
# NannyML's calibration check: 10 stratified 90/10 splits (seed 42), ECE over 10 equal-count bins.
CALIBRATION_SPLITS = 10
CALIBRATION_BINS = 10
CALIBRATION_SEED = 42
# Reference scores ranking this well are taken as already calibrated (NannyML's shortcut too).
SEPARABLE_AUC = 0.999
MIN_REFERENCE_ROWS = 2 * CALIBRATION_BINS


@dataclass(frozen=True)
class CBPECalibration:
    """What CBPE learnt from the reference: the score->probability map and the error components.

    ``knots_x``/``knots_y`` are the isotonic map (linear between knots, clipped outside); empty
    when the reference scores were already calibrated and are used as they are.
    """

    threshold: float
    calibrated: bool
    knots_x: tuple[float, ...]
    knots_y: tuple[float, ...]
    reference_rows: int
    reference_accuracy: float
    reference_roc_auc: float
    accuracy_std: float
    roc_auc_std: float
    roc_auc_fraction: float

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        """P(y=1 | score) for each score: the isotonic map when calibrated, else the score."""
        if not self.calibrated:
            return np.asarray(scores, dtype=float)
        return np.interp(scores, np.asarray(self.knots_x), np.asarray(self.knots_y))

    def to_json(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "calibrated": self.calibrated,
            "knots_x": list(self.knots_x),
            "knots_y": list(self.knots_y),
            "reference_rows": self.reference_rows,
            "reference_accuracy": self.reference_accuracy,
            "reference_roc_auc": self.reference_roc_auc,
            "accuracy_std": self.accuracy_std,
            "roc_auc_std": self.roc_auc_std,
            "roc_auc_fraction": self.roc_auc_fraction,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CBPECalibration:
        return cls(
            threshold=float(data["threshold"]),
            calibrated=bool(data["calibrated"]),
            knots_x=tuple(float(x) for x in data["knots_x"]),
            knots_y=tuple(float(y) for y in data["knots_y"]),
            reference_rows=int(data["reference_rows"]),
            reference_accuracy=float(data["reference_accuracy"]),
            reference_roc_auc=float(data["reference_roc_auc"]),
            accuracy_std=float(data["accuracy_std"]),
            roc_auc_std=float(data["roc_auc_std"]),
            roc_auc_fraction=float(data["roc_auc_fraction"]),
        )


@dataclass(frozen=True)
class CBPEEstimate:
    """One batch's estimated accuracy and ROC AUC with their intervals, clipped to [0, 1].

    ROC AUC fields are None when the batch's probabilities expect no positive or no negative.
    """

    rows: int
    accuracy: float
    accuracy_low: float
    accuracy_high: float
    roc_auc: float | None
    roc_auc_low: float | None
    roc_auc_high: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "accuracy": self.accuracy,
            "accuracy_low": self.accuracy_low,
            "accuracy_high": self.accuracy_high,
            "roc_auc": self.roc_auc,
            "roc_auc_low": self.roc_auc_low,
            "roc_auc_high": self.roc_auc_high,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CBPEEstimate:
        def maybe(key: str) -> float | None:
            return None if data[key] is None else float(data[key])

        return cls(
            rows=int(data["rows"]),
            accuracy=float(data["accuracy"]),
            accuracy_low=float(data["accuracy_low"]),
            accuracy_high=float(data["accuracy_high"]),
            roc_auc=maybe("roc_auc"),
            roc_auc_low=maybe("roc_auc_low"),
            roc_auc_high=maybe("roc_auc_high"),
        )


def cbpe_fit(reference_scores, reference_labels, *, threshold: float = 0.5) -> CBPECalibration:
    """Learn CBPE from a labelled reference: isotonic calibration if it helps, and error parts.

    Calibrates when NannyML's check finds the isotonic map lowers the held-out ECE; the error
    components are NannyML's: std of per-row correctness and of positives' placement values.
    """
    scores = _scores(reference_scores, "reference_scores", min_rows=MIN_REFERENCE_ROWS)
    labels = _labels(reference_labels, rows=len(scores))
    if not 0.0 < threshold < 1.0 or not math.isfinite(threshold):
        raise BatteryInputError(
            Problem("threshold", f"must be strictly between 0 and 1, got {threshold}")
        )
    calibrated = _needs_calibration(scores, labels)
    knots_x: tuple[float, ...] = ()
    knots_y: tuple[float, ...] = ()
    if calibrated:
        iso = IsotonicRegression(out_of_bounds="clip", increasing=True).fit(scores, labels)
        knots_x = tuple(float(x) for x in iso.X_thresholds_)
        knots_y = tuple(float(y) for y in iso.y_thresholds_)
    predicted = scores >= threshold
    correct = (predicted == labels.astype(bool)).astype(float)
    auc_std, fraction = _auc_placement_std(scores, labels)
    return CBPECalibration(
        threshold=float(threshold),
        calibrated=calibrated,
        knots_x=knots_x,
        knots_y=knots_y,
        reference_rows=len(scores),
        reference_accuracy=float(correct.mean()),
        reference_roc_auc=float(roc_auc_score(labels, scores)),
        accuracy_std=float(correct.std()),
        roc_auc_std=auc_std,
        roc_auc_fraction=fraction,
    )


def cbpe_estimate(calibration: CBPECalibration, batch_scores) -> CBPEEstimate:
    """Estimate a batch's accuracy and ROC AUC from its scores, with NannyML's 3-sigma intervals.

    With p = P(y=1 | score), yhat = [score >= threshold]: accuracy = mean(yhat*p + (1-yhat)*(1-p)),
    SE = std_ref(correct)/sqrt(n); ROC AUC = expected_roc_auc(p, scores),
    SE = std_ref(placement)/sqrt(n * fraction_ref); interval = estimate +/- 3 SE within [0, 1].
    """
    scores = _scores(batch_scores, "batch_scores", min_rows=1)
    rows = len(scores)
    p = calibration.probabilities(scores)
    predicted = scores >= calibration.threshold
    accuracy = float(np.where(predicted, p, 1.0 - p).mean())
    accuracy_low, accuracy_high = _band(accuracy, calibration.accuracy_std / math.sqrt(rows))
    auc = expected_roc_auc(p, scores)
    if auc is None:
        return CBPEEstimate(rows, accuracy, accuracy_low, accuracy_high, None, None, None)
    auc_error = calibration.roc_auc_std / math.sqrt(rows * calibration.roc_auc_fraction)
    auc_low, auc_high = _band(auc, auc_error)
    return CBPEEstimate(rows, accuracy, accuracy_low, accuracy_high, auc, auc_low, auc_high)


def expected_roc_auc(probabilities: np.ndarray, scores: np.ndarray) -> float | None:
    """The ROC AUC expected when row i is positive with ``probabilities[i]``, ranked by ``scores``.

    Sweeping the threshold down the distinct scores, TPR = cumsum(p)/sum(p) and
    FPR = cumsum(1-p)/sum(1-p); tied scores move together (one ROC point per distinct score).
    """
    order = np.argsort(-scores)  # any order within ties: only tie-group ends are read
    ranked, p = scores[order], probabilities[order]
    positives, negatives = np.cumsum(p), np.cumsum(1.0 - p)
    if positives[-1] <= 0.0 or negatives[-1] <= 0.0:
        return None
    ends = np.r_[np.flatnonzero(np.diff(ranked)), len(ranked) - 1]
    tpr = np.r_[0.0, positives[ends] / positives[-1]]
    fpr = np.r_[0.0, negatives[ends] / negatives[-1]]
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2.0))


def _band(value: float, error: float) -> tuple[float, float]:
    reach = SAMPLING_ERROR_RANGE * error
    return max(0.0, value - reach), min(1.0, value + reach)


def _needs_calibration(scores: np.ndarray, labels: np.ndarray) -> bool:
    """NannyML's check: does isotonic calibration, fitted on 90% splits, lower the held-out ECE?"""
    if roc_auc_score(labels, scores) > SEPARABLE_AUC:
        return False
    splits = StratifiedShuffleSplit(
        n_splits=CALIBRATION_SPLITS, test_size=0.1, random_state=CALIBRATION_SEED
    )
    held_labels, raw, fitted = [], [], []
    for train, test in splits.split(scores, labels):
        iso = IsotonicRegression(out_of_bounds="clip", increasing=True)
        iso.fit(scores[train], labels[train])
        held_labels.append(labels[test])
        raw.append(scores[test])
        fitted.append(iso.predict(scores[test]))
    truth = np.concatenate(held_labels)
    before = _equal_count_ece(truth, np.concatenate(raw))
    after = _equal_count_ece(truth, np.concatenate(fitted))
    return bool(before > after)


def _equal_count_ece(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """ECE over equal-count bins of the sorted probabilities: sum_b (n_b/n)|mean p_b - mean y_b|."""
    rows = len(probabilities)
    bins = CALIBRATION_BINS if rows > 2 * CALIBRATION_BINS else rows // 2
    width = rows // bins
    edges = np.arange(0, rows + 1, width)
    edges[-1] = rows
    # NumPy's default sort, as NannyML's: the isotonic map ties many rows, and which labels share
    # a bin across a tie decides close calls (adult's reference: ECE 0.00530 raw vs 0.00583).
    order = np.argsort(probabilities)
    p, y = probabilities[order], labels[order]
    return float(
        sum(
            (stop - start) / rows * abs(p[start:stop].mean() - y[start:stop].mean())
            for start, stop in itertools.pairwise(edges)
        )
    )


def _auc_placement_std(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """NannyML's ROC AUC error parts: std of the minority class's placement values, its share.

    A positive's placement value is the share of negatives scored below it (AUC is their mean),
    so SE(AUC) ~ std(placement)/sqrt(positives in the batch); the minority class is "positive".
    """
    y = labels.astype(bool)
    s = scores
    if y.mean() > 0.5:
        y, s = ~y, 1.0 - s
    ordered = y[np.argsort(s, kind="stable")]
    ranks = np.flatnonzero(ordered)
    below = ranks - np.arange(len(ranks))
    placement = below / float(len(y) - len(ranks))
    return float(placement.std()), float(len(ranks) / len(y))


def _scores(values, field: str, *, min_rows: int) -> np.ndarray:
    try:
        scores = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise BatteryInputError(
            Problem(field, "must be numbers (scores between 0 and 1)")
        ) from None
    if len(scores) < min_rows:
        raise BatteryInputError(
            Problem(field, f"needs at least {min_rows} rows, got {len(scores)}")
        )
    if not np.isfinite(scores).all():
        raise BatteryInputError(Problem(field, "has missing or non-finite scores"))
    if scores.min() < 0.0 or scores.max() > 1.0:
        raise BatteryInputError(
            Problem(field, f"scores must lie in [0, 1], found {scores.min():g}..{scores.max():g}")
        )
    return scores


def _labels(values, *, rows: int) -> np.ndarray:
    field = "reference_labels"
    try:
        labels = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise BatteryInputError(Problem(field, "must be 0 or 1")) from None
    if len(labels) != rows:
        raise BatteryInputError(
            Problem(field, f"has {len(labels)} rows but reference_scores has {rows}")
        )
    if not np.isin(labels, (0.0, 1.0)).all():
        raise BatteryInputError(Problem(field, "must be 0 or 1 (missing labels are not allowed)"))
    if labels.min() == labels.max():
        raise BatteryInputError(
            Problem(field, f"has a single class ({int(labels[0])}); CBPE needs both 0 and 1")
        )
    return labels.astype(int)

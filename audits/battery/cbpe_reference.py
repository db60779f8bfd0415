"""A labelled reference table as CBPE's input: its scores, its labels as 0/1 of the positive
class, and the threshold its predictions were cut at; a BatteryInputError naming the column
when the reference cannot calibrate CBPE (no score, not binary, predictions not a cut of it)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .cbpe import CBPECalibration, cbpe_fit
from .errors import BatteryInputError, Problem
from .task_kind import positive_key
from .value_keys import MISSING, key_of

# Undeclared positive classes, as the battery's task inference takes them.
USUAL_POSITIVES = ("1", "True", "true", "yes", "positive")
DEFAULT_THRESHOLD = 0.5


def reference_calibration(
    frame: pd.DataFrame, *, label: str, score: str, prediction: str | None, positive: Any
) -> CBPECalibration:
    """CBPE fitted on the reference's `score` against its `label` (`positive` the positive
    class, or the usual one of two); the threshold is the lowest score predicted positive."""
    for column in (label, score, prediction):
        if column is not None and column not in frame.columns:
            raise BatteryInputError(Problem(column, "is not a column of the reference set"))
    keys = frame[label].map(key_of)
    if (keys == MISSING).any():
        raise BatteryInputError(Problem(label, "the reference has rows without a label"))
    classes = sorted(set(keys))
    if len(classes) != 2:
        raise BatteryInputError(
            Problem(
                label,
                f"CBPE estimates binary classifiers; the reference has {len(classes)} classes",
            )
        )
    wanted = _positive(classes, positive, label)
    threshold = DEFAULT_THRESHOLD
    scores = frame[score].to_numpy(dtype=float, na_value=np.nan)
    if prediction is not None:
        threshold = _threshold(scores, frame[prediction].map(key_of) == wanted, prediction)
    return cbpe_fit(scores, (keys == wanted).astype(int).to_numpy(), threshold=threshold)


def _positive(classes: list[str], positive: Any, label: str) -> str:
    if positive is not None:
        wanted = positive_key(positive)
        if wanted not in classes:
            raise BatteryInputError(Problem(label, f"positive label '{wanted}' is not a label"))
        return wanted
    usual = [c for c in USUAL_POSITIVES if c in classes]
    if not usual:
        raise BatteryInputError(
            Problem(label, f"declare the positive label: the labels are {', '.join(classes)}")
        )
    return usual[0]


def _threshold(scores: np.ndarray, predicted: pd.Series, prediction: str) -> float:
    """The cut the predictions were made at: every positive prediction scores at least it,
    every negative below it; else the score is not the one the predictions came from."""
    flags = predicted.to_numpy(dtype=bool)
    if not np.isfinite(scores).all():
        return DEFAULT_THRESHOLD  # cbpe_fit names the missing scores
    if not flags.any() or flags.all():
        return DEFAULT_THRESHOLD
    cut = float(scores[flags].min())
    if scores[~flags].max() >= cut:
        raise BatteryInputError(
            Problem(
                prediction,
                "the predictions are not the score cut at one threshold: CBPE "
                "cannot tell which score each prediction came from",
            )
        )
    return cut

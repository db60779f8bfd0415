"""Performance without labels: CBPE (audits.battery.cbpe) fitted once on the monitor's labelled
reference and kept on the monitor, then each batch's accuracy and ROC AUC estimated from its
scores as `estimated` points, under the names the realised figures take once labels arrive.
A batch that cannot be estimated gets the reason, not silence."""

from dataclasses import dataclass
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from audits.battery.cbpe import CBPECalibration, cbpe_estimate
from audits.battery.cbpe_reference import reference_calibration
from audits.battery.errors import BatteryInputError
from audits.models import EvaluationSet, Monitor, MonitorBatch
from audits.monitoring.batch_mapping import BatchMapping
from audits.monitoring.points import Point

# What CBPE estimates, named as the performance check names the realised figure.
ESTIMATED_ACCURACY = "performance.accuracy"
ESTIMATED_ROC_AUC = "performance.roc_auc_score"


@dataclass(frozen=True)
class ReferenceFit:
    """CBPE as fitted on one reference set, or why that reference cannot calibrate it."""

    reference_set: int
    calibration: CBPECalibration | None
    refused: str = ""

    def to_json(self) -> dict[str, Any]:
        calibration = self.calibration.to_json() if self.calibration else None
        return {"reference_set": self.reference_set, "calibration": calibration,
                "refused": self.refused}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ReferenceFit":
        calibration = data["calibration"]
        return cls(
            reference_set=int(data["reference_set"]),
            calibration=CBPECalibration.from_json(calibration) if calibration else None,
            refused=str(data["refused"]),
        )


def _columns(stored: EvaluationSet, wanted: list[str]) -> pd.DataFrame:
    """The columns of `wanted` the stored set has (a missing one is named by the caller)."""
    with stored.parquet.open("rb") as handle:
        present = [c for c in wanted if c in pq.read_schema(handle).names]
        handle.seek(0)
        return pq.read_table(handle, columns=present).to_pandas()


def _fit(monitor: Monitor, mapping: BatchMapping) -> ReferenceFit:
    reference = monitor.reference_set
    if mapping.score is None:
        return ReferenceFit(reference.pk, None, "the monitor's mapping names no score column")
    label, score = reference.mapping.get("label"), reference.mapping.get("score")
    if not label or not score:
        refused = "the reference set's mapping names no label and score to calibrate CBPE on"
        return ReferenceFit(reference.pk, None, refused)
    prediction = reference.mapping.get("prediction") or None
    positive = mapping.positive_label
    if positive is None:
        positive = reference.mapping.get("positive_label")
    frame = _columns(reference, [c for c in (label, score, prediction) if c])
    try:
        calibration = reference_calibration(
            frame, label=label, score=score, prediction=prediction, positive=positive
        )
    except BatteryInputError as error:
        return ReferenceFit(reference.pk, None, f"the reference cannot calibrate CBPE: {error}")
    return ReferenceFit(reference.pk, calibration)


def monitor_reference_fit(monitor: Monitor, mapping: BatchMapping) -> ReferenceFit:
    """CBPE on the monitor's reference: fitted at the first batch and kept on the monitor."""
    if monitor.cbpe is not None:
        kept = ReferenceFit.from_json(monitor.cbpe)
        if kept.reference_set == monitor.reference_set_id:
            return kept
    fit = _fit(monitor, mapping)
    Monitor.objects.filter(pk=monitor.pk).update(cbpe=fit.to_json())
    monitor.cbpe = fit.to_json()
    return fit


def batch_estimate(batch: MonitorBatch, mapping: BatchMapping) -> tuple[list[Point], str]:
    """The batch's estimated accuracy and ROC AUC with their intervals, or no points and why."""
    fit = monitor_reference_fit(batch.monitor, mapping)
    if fit.calibration is None or mapping.score is None:  # a fit needs a score: never both
        return [], fit.refused
    frame = _columns(batch.evaluation_set, [mapping.score])
    if mapping.score not in frame.columns:
        return [], f"the batch has no score column {mapping.score!r}"
    try:
        found = cbpe_estimate(fit.calibration, frame[mapping.score].to_numpy())
    except BatteryInputError as error:
        return [], f"the batch's scores cannot be estimated from: {error}"
    points = [
        Point(ESTIMATED_ACCURACY, found.accuracy, low=found.accuracy_low, high=found.accuracy_high)
    ]
    if found.roc_auc is not None:
        points.append(
            Point(ESTIMATED_ROC_AUC, found.roc_auc, low=found.roc_auc_low, high=found.roc_auc_high)
        )
    return points, ""

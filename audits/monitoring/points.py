"""The headline figures of a batch's audit document, as history points: no Django here beyond
the dataclass they travel in, so the rule for what the history holds is read in one place.

Keys are `<check>.<metric>` as the battery names them (`drift.drift_share`,
`performance.accuracy`), per feature `drift.feature_psi` with the feature as subject, the
model's outputs as `drift.prediction_psi` / `drift.score_psi`, and `volume.rows`."""

from dataclasses import dataclass
from typing import Any

import pyarrow.parquet as pq

from audits.battery.checks.drift import compare
from audits.battery.stats.merge import categories
from audits.battery.value_keys import counts_by_key

ROWS = "volume.rows"
LABELLED_ROWS = "volume.labelled_rows"
FEATURE_PSI = "drift.feature_psi"
PREDICTION_PSI = "drift.prediction_psi"
SCORE_PSI = "drift.score_psi"
# Checks measured on a batch as received (no labels), and once its labels are joined.
UNLABELLED_CHECKS = ("data_quality", "drift")
LABELLED_CHECKS = ("performance", "fairness", "calibration")
# Data-quality figures of the stand-in label (the prediction column): not data quality.
_STAND_IN = ("label_minority_share",)


@dataclass(frozen=True)
class Point:
    """One figure of one batch; `low`/`high` bound an estimate (CBPE), else None."""

    metric: str
    value: float
    subject: str | None = None
    low: float | None = None
    high: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"metric": self.metric, "subject": self.subject, "value": self.value,
                "low": self.low, "high": self.high}  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Point":
        return cls(data["metric"], data["value"], data["subject"], data["low"], data["high"])


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _check_points(document: dict, checks: tuple[str, ...], skip: tuple[str, ...] = ()) -> list:
    out = []
    for check in document["checks"]:
        if check["id"] not in checks or check["status"] in ("skipped", "error"):
            continue
        for name, value in sorted(check["metrics"].items()):
            number = _number(value)
            if number is not None and name not in skip:
                out.append(Point(f"{check['id']}.{name}", number))
    return out


def unlabelled_points(
    document: dict, outputs: dict[str, str | None], reference_predictions: dict | None
) -> list[Point]:
    """Volume, data quality, each feature's PSI, score drift (the score column's PSI) and
    prediction drift (the predicted classes against the reference's, by the battery's own
    categorical comparison)."""
    points = [Point(ROWS, float(document["dataset"]["rows"]))]
    points += _check_points(document, UNLABELLED_CHECKS, _STAND_IN)
    drift = next((c for c in document["checks"] if c["id"] == "drift"), None)
    if drift is not None and drift["status"] not in ("skipped", "error"):
        for feature, result in sorted(drift["details"]["features"].items()):
            psi = _number(result and result.get("psi"))
            if psi is None:
                continue
            if feature == outputs.get("score"):
                points.append(Point(SCORE_PSI, psi))
            else:
                points.append(Point(FEATURE_PSI, psi, subject=feature))
    quality = next((c for c in document["checks"] if c["id"] == "data_quality"), None)
    if reference_predictions and quality is not None and "label_counts" in quality["details"]:
        current = _categorical(quality["details"]["label_counts"])
        compared = compare(_categorical(reference_predictions), current)
        if compared is not None:
            points.append(Point(PREDICTION_PSI, float(compared["psi"])))
    return points


def labelled_points(document: dict) -> list[Point]:
    """The realised figures of a batch joined to its labels: performance, fairness and
    calibration headline metrics, and how many rows were labelled."""
    points = [Point(LABELLED_ROWS, float(document["dataset"]["rows"]))]
    return points + _check_points(document, LABELLED_CHECKS)


def _categorical(counts: dict[str, int]) -> dict:
    return {"kind": "categorical", "missing": 0, "counts": categories(dict(counts))}


def predicted_counts(handle: Any, column: str) -> dict[str, int] | None:
    """Counts of each predicted class in a stored Parquet file, None without that column."""
    schema = pq.read_schema(handle)
    if column not in schema.names:
        return None
    handle.seek(0)
    return counts_by_key(pq.read_table(handle, columns=[column]).column(column).to_pandas())

"""The monitor's history as chart panels: the charted metrics read in one query, split into
lines by feature and by kind (estimated until realised), each panel with the warn and fail
thresholds its metric has under the policy its latest batch was judged by."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Max

from audits.models import MetricPoint, Monitor, MonitorBatch, PointKind
from audits.monitoring.alerts import run_rules
from audits.monitoring.estimates import ESTIMATED_ACCURACY, ESTIMATED_ROC_AUC
from audits.monitoring.history import monitor_history
from audits.monitoring.points import FEATURE_PSI, LABELLED_ROWS, PREDICTION_PSI, ROWS, SCORE_PSI

DRIFT_SHARE = "drift.drift_share"
DEMOGRAPHIC_PARITY = "fairness.demographic_parity_difference"
EQUALIZED_ODDS = "fairness.equalized_odds_difference"
# Each panel: its title and the metrics it draws, each with its line's label (None: the
# point's subject, a feature). Thresholds are drawn for a panel of one judged metric.
PANELS: tuple[tuple[str, dict[str, str | None]], ...] = (
    (
        "Drift per feature (PSI)",
        {FEATURE_PSI: None, SCORE_PSI: "score", PREDICTION_PSI: "prediction"},
    ),
    ("Share of drifted features", {DRIFT_SHARE: "drift share"}),
    ("Accuracy", {ESTIMATED_ACCURACY: "accuracy"}),
    ("ROC AUC", {ESTIMATED_ROC_AUC: "ROC AUC"}),
    ("Demographic parity difference", {DEMOGRAPHIC_PARITY: "largest gap"}),
    ("Equalized odds difference", {EQUALIZED_ODDS: "largest gap"}),
    ("Volume", {ROWS: "rows", LABELLED_ROWS: "labelled rows"}),
)


@dataclass
class Line:
    """One line of a panel: a feature's or a kind's points in batch-time order; an estimated
    line carries its interval."""

    label: str
    kind: str
    times: list[datetime] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    lows: list[float | None] = field(default_factory=list)
    highs: list[float | None] = field(default_factory=list)

    @property
    def estimated(self) -> bool:
        return self.kind == PointKind.ESTIMATED


@dataclass(frozen=True)
class Panel:
    """One chart over time: its lines and its metric's warn and fail thresholds, if judged."""

    title: str
    metric: str
    lines: tuple[Line, ...]
    warn: float | None = None
    fail: float | None = None


def monitor_panels(monitor: Monitor) -> list[Panel]:
    """The monitor's panels that have points, in PANELS order."""
    charted = {metric: label for _, metrics in PANELS for metric, label in metrics.items()}
    lines: dict[tuple[str, str | None, str], Line] = {}
    rows = (
        monitor_history(monitor)
        .filter(metric__in=charted)
        .values_list("metric", "subject", "kind", "batch_time", "value", "low", "high")
    )
    for metric, subject, kind, when, value, low, high in rows:
        label = charted[metric] or subject or metric
        if kind == PointKind.ESTIMATED:
            label = f"{label} (estimated)"
        line = lines.setdefault((metric, subject, kind), Line(label, kind))
        line.times.append(when)
        line.values.append(value)
        line.lows.append(low)
        line.highs.append(high)
    rules = _rules(monitor)
    panels = []
    for title, metrics in PANELS:
        drawn = tuple(line for (metric, _, _), line in lines.items() if metric in metrics)
        if not drawn:
            continue
        metric = next(iter(metrics))
        rule = rules.get(metric) if len(metrics) == 1 else None
        warn, fail = (rule.warn, rule.fail) if rule else (None, None)
        panels.append(Panel(title, metric, drawn, warn, fail))
    return panels


def panels_version(monitor: Monitor) -> str:
    """What the monitor's panels are drawn from, as a key: the monitor, its newest point and the
    run whose policy gives the thresholds. The history only grows (points are written once, by
    monitor_points_record), so a new point or a newer judged batch changes the key."""
    newest = MetricPoint.objects.filter(monitor=monitor).aggregate(newest=Max("id"))["newest"]
    latest = _latest_judged(monitor)
    created = monitor.created_at.timestamp() if monitor.created_at else None
    return f"{monitor.pk}:{created}:{newest}:{latest.run_id if latest else None}"


def _latest_judged(monitor: Monitor) -> MonitorBatch | None:
    return (
        MonitorBatch.objects.filter(monitor=monitor, run__isnull=False)
        .select_related("run__policy")
        .order_by("-batch_time", "-id")
        .first()
    )


def _rules(monitor: Monitor) -> dict:
    latest = _latest_judged(monitor)
    return run_rules(latest.run) if latest is not None and latest.run is not None else {}

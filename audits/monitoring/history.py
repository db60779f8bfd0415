"""The monitor's history: writing a batch's points (realised by the worker from its audits, or
estimated, e.g. by CBPE, with an interval), and reading them back by metric and time."""

from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from audits.models import AuditRun, MetricPoint, Monitor, MonitorBatch, PointKind, RunStatus
from audits.monitoring.alerts import batch_alerts
from audits.monitoring.batch_mapping import BatchMapping
from audits.monitoring.estimates import batch_estimate
from audits.monitoring.points import Point, labelled_points, predicted_counts, unlabelled_points
from governance.models import EventVerb, User
from governance.trail import event_record

HISTORY_COLUMNS = ["batch", "batch_time", "metric", "subject", "value", "low", "high", "kind"]


def monitor_points_record(
    *, actor: User | None, batch: MonitorBatch, points: list[Point], kind: str, run: AuditRun
) -> list[MetricPoint]:
    """Add a batch's points of one kind to the history with their event, then judge them
    against the policy's alert rules (audits.monitoring.alerts); in one transaction."""
    if kind not in PointKind.values:
        raise ValueError(f"unknown point kind {kind!r}")
    with transaction.atomic():
        rows = MetricPoint.objects.bulk_create(
            [
                MetricPoint(
                    monitor_id=batch.monitor_id,
                    batch=batch,
                    metric=p.metric,
                    subject=p.subject,
                    value=p.value,
                    low=p.low,
                    high=p.high,
                    kind=kind,
                    batch_time=batch.batch_time,
                )
                for p in points
            ]
        )
        event_record(
            actor=actor,
            verb=EventVerb.MONITOR_BATCH_MEASURED,
            target=batch,
            after={
                "run": run.pk,
                "kind": kind,
                "points": len(rows),
                "result_sha256": run.result_sha256,
            },
        )
        batch_alerts(batch=batch, run=run, points=points, kind=kind)
    return rows


def monitor_batch_measure(*, run_id: int) -> int:
    """A batch's completed audit into its history, once (the worker calls this after either
    audit of a batch completes; a repeat finds it measured): the count of points written. The
    unlabelled audit brings the batch's CBPE estimates too (or the batch's reason for none)."""
    with transaction.atomic():
        batch = (
            MonitorBatch.objects.select_for_update()
            .filter(Q(run_id=run_id) | Q(labelled_run_id=run_id))
            .first()
        )
        run = AuditRun.objects.filter(pk=run_id, status=RunStatus.COMPLETED).first()
        if batch is None or run is None or run.result is None:
            return 0
        labelled = batch.labelled_run_id == run_id
        if (batch.labels_measured_at if labelled else batch.measured_at) is not None:
            return 0
        monitor = Monitor.objects.select_related("model", "version", "reference_set").get(
            pk=batch.monitor_id
        )
        batch.monitor = monitor
        estimated: list[Point] = []
        if labelled:
            points = labelled_points(run.result)
            batch.labels_measured_at = timezone.now()
        else:
            mapping = BatchMapping.from_json(monitor.batch_mapping)
            with monitor.reference_set.parquet.open("rb") as handle:
                reference = predicted_counts(handle, mapping.prediction)
            points = unlabelled_points(run.result, {"score": mapping.score}, reference)
            estimated, batch.estimate_refused = batch_estimate(batch, mapping)
            batch.measured_at = timezone.now()
        batch.save(update_fields=["measured_at", "labels_measured_at", "estimate_refused"])
        monitor_points_record(
            actor=None, batch=batch, points=points, kind=PointKind.REALISED, run=run
        )
        if estimated:
            monitor_points_record(
                actor=None, batch=batch, points=estimated, kind=PointKind.ESTIMATED, run=run
            )
    return len(points) + len(estimated)


def monitor_history(
    monitor: Monitor,
    *,
    metric: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    subject: str | None = None,
    kind: str | None = None,
) -> QuerySet[MetricPoint]:
    """The monitor's points in batch-time order, filtered; served by the index on
    (monitor, metric, batch_time)."""
    points = MetricPoint.objects.filter(monitor=monitor)
    if metric:
        points = points.filter(metric=metric)
    if since:
        points = points.filter(batch_time__gte=since)
    if until:
        points = points.filter(batch_time__lt=until)
    if subject:
        points = points.filter(subject=subject)
    if kind:
        points = points.filter(kind=kind)
    return points.order_by("batch_time", "id")


def history_rows(points: QuerySet[MetricPoint]) -> list[list]:
    """The points as rows of HISTORY_COLUMNS, for the CSV export."""
    return [
        [
            p.batch_id,
            p.batch_time.isoformat(),
            p.metric,
            p.subject or "",
            p.value,
            p.low,
            p.high,
            p.kind,
        ]
        for p in points
    ]

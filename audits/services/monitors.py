"""Writes for monitors: a scheduled monitoring audit of a version, and the sweep that queues
the ones that are due as the system."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from audits.models import AuditRun, EvaluationSet, Monitor, MonitorBatch, RunStatus
from audits.services.runs import audit_run_queue, require_auditable
from governance.models import EventVerb, ModelVersion, User
from governance.trail import event_record, snapshot


def monitor_create(
    *,
    actor: User,
    version: ModelVersion,
    evaluation_set: EvaluationSet,
    reference_set: EvaluationSet,
    every_hours: int,
) -> Monitor:
    """Schedule a monitoring audit of a version: its current set against a reference set."""
    require_auditable(actor, version, evaluation_set, reference_set)
    with transaction.atomic():
        monitor = Monitor.objects.create(
            model=version.model,
            version=version,
            evaluation_set=evaluation_set,
            reference_set=reference_set,
            every_hours=every_hours,
        )
        event_record(
            actor=actor,
            verb=EventVerb.MONITOR_CREATED,
            target=monitor,
            after=snapshot(monitor, ["version", "evaluation_set", "reference_set", "every_hours"]),
        )
    return monitor


def monitors_due() -> list[int]:
    """Ids of active re-auditing monitors never run, or whose last run was requested
    `every_hours` ago."""
    now = timezone.now()
    due = []
    monitors = Monitor.objects.filter(active=True, evaluation_set__isnull=False)
    for monitor in monitors.select_related("last_run"):
        last = monitor.last_run
        if last is None or now - last.requested_at >= timedelta(hours=monitor.every_hours):
            due.append(monitor.pk)
    return due


def monitors_pull_due() -> list[int]:
    """Ids of active batch monitors with a pull source whose last batch arrived `every_hours`
    ago (or that have none yet)."""
    now = timezone.now()
    due = []
    for monitor in Monitor.objects.filter(active=True, batch_mapping__isnull=False).exclude(
        pull_from=""
    ):
        last = monitor.batches.order_by("-received_at").values_list("received_at", flat=True)
        latest = last.first()
        if latest is None or now - latest >= timedelta(hours=monitor.every_hours):
            due.append(monitor.pk)
    return due


def monitor_run(*, monitor_id: int) -> AuditRun | None:
    """Queue the monitor's audit as the system (no person requested it)."""
    monitor = Monitor.objects.select_related("version__model").get(pk=monitor_id)
    if monitor.version.model.risk_tier is None or monitor.evaluation_set is None:
        return None

    def remember(run: AuditRun) -> None:
        Monitor.objects.filter(pk=monitor.pk).update(last_run=run)

    return audit_run_queue(
        actor=None,
        version=monitor.version,
        evaluation_set=monitor.evaluation_set,
        reference_set=monitor.reference_set,
        on_created=remember,
    )


def batch_runs_unmeasured() -> list[int]:
    """Completed batch audits (as received, or labelled) not yet in their history."""
    done = RunStatus.COMPLETED
    received = MonitorBatch.objects.filter(measured_at__isnull=True, run__status=done)
    labelled = MonitorBatch.objects.filter(
        labels_measured_at__isnull=True, labelled_run__status=done
    )
    return [
        *received.values_list("run_id", flat=True),
        *labelled.values_list("labelled_run_id", flat=True),
    ]

"""Scheduled registry work (Celery beat)."""

from datetime import timedelta

from celery import shared_task
from django.db import InterfaceError, OperationalError

from governance import delivery, findings, incidents, lifecycle, selectors
from governance.checkpoints import INTERVAL_REASON, trail_checkpoint_take
from governance.mlflow_sync.client import MLflowUnreachable
from governance.mlflow_sync.sync import mlflow_sync_configured

# The failures every Warden task retries: the database or the broker was briefly away.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError)
# The options of every small registry task: acked late, transient failures retried.
RETRY = {
    "acks_late": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,
    "max_retries": 3,
}
# The options of every beat task; `periodic` marks a task Celery beat must schedule
# (tests/config/test_celery.py holds it).
BEAT_RETRY = {"periodic": True, **RETRY}


@shared_task(**BEAT_RETRY)
def revalidation_reminders_send() -> str:
    """Beat, hourly: remind owners of versions whose approval expires within the notice period."""
    sent = [lifecycle.revalidation_remind(version_id=pk) for pk in lifecycle.revalidations_due()]
    return f"sent {sum(sent)} reminder(s)"


@shared_task(**BEAT_RETRY)
def incident_deadline_reminders_send() -> str:
    """Beat, hourly: warn incident owners two days before an Art. 73 report is due."""
    due = incidents.incident_deadlines_due(within=timedelta(days=2))
    sent = [incidents.incident_deadline_remind(incident_id=pk) for pk in due]
    return f"sent {sum(sent)} reminder(s)"


@shared_task(**BEAT_RETRY)
def finding_overdue_reminders_send() -> str:
    """Beat, hourly: remind the owners of overdue findings (once each, until reopened)."""
    due = selectors.findings_overdue().filter(overdue_reminded_at__isnull=True)
    sent = [
        findings.finding_overdue_remind(finding_id=pk) for pk in due.values_list("pk", flat=True)
    ]
    return f"sent {sum(sent)} reminder(s)"


@shared_task(**BEAT_RETRY)
def mlflow_registry_sync() -> str:
    """Beat, every WARDEN_MLFLOW_SYNC_SECONDS, and on each accepted MLflow webhook: one pass of
    the registry sync (nothing when no server is configured; an unreachable one waits for the
    next pass, which resumes where this stopped)."""
    try:
        report = mlflow_sync_configured()
    except MLflowUnreachable as error:
        return f"MLflow unreachable: {error}"
    return "no MLflow server configured" if report is None else str(report.to_json())


@shared_task(**BEAT_RETRY)
def trail_checkpoint_write() -> str:
    """Beat, every WARDEN_TRAIL_CHECKPOINT_SECONDS: sign the trail head into a checkpoint file,
    unless the newest checkpoint already states it."""
    checkpoint = trail_checkpoint_take(reason=INTERVAL_REASON, only_if_moved=True)
    return f"checkpoint at #{checkpoint.seq}" if checkpoint else "head unchanged"


@shared_task(
    acks_late=True, reject_on_worker_lost=True, autoretry_for=TRANSIENT, retry_backoff=True
)
def delivery_send(delivery_id: int) -> str:
    """Send one outbox delivery once; a failed attempt queues the next after its backoff."""
    outcome = delivery.delivery_attempt(delivery_id=delivery_id)
    if outcome.retry_in is not None:
        delivery_send.apply_async((delivery_id,), countdown=outcome.retry_in)
    return outcome.status


@shared_task(**BEAT_RETRY)
def deliveries_sweep() -> str:
    """Beat, every minute: queue pending deliveries that are due (retries, attempts whose worker
    died, and any never queued), so no message is lost."""
    due = delivery.deliveries_due()
    for pk in due:
        delivery_send.delay(pk)
    return f"queued {len(due)} delivery(ies)"

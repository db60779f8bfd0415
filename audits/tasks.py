"""Celery tasks. Each takes ids, loads what it needs and calls one service; a run is planned by
one task, its chunks computed by many (on any worker), and merged by one. Tasks are acked late
and rejected when their worker dies, so a killed worker's task is delivered again; a repeated
delivery finds the work done (or claimed) and does nothing."""

import logging
from datetime import timedelta
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from audits import engine
from audits.battery import BatteryInputError
from audits.models import AuditRun, ChunkStats, RunStatus
from audits.monitoring import batches, history
from audits.services import llm, monitors, runs, staging
from governance.tasks import BEAT_RETRY, RETRY, TRANSIENT

logger = logging.getLogger(__name__)


class AuditTask(Task):
    """Retries transient database and connection failures with backoff; when a task fails for
    good (or hits its time limit), its run is marked errored with the reason."""

    acks_late = True
    reject_on_worker_lost = True
    autoretry_for = TRANSIENT
    retry_backoff = 2
    retry_backoff_max = 60
    max_retries = 6
    soft_time_limit = 1800
    time_limit = 1860

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        run_id, attempt = args[0], (args[1] if len(args) > 1 else None)
        runs.audit_run_error(
            run_id=run_id, attempt=attempt, reason=f"{type(exc).__name__}: {exc}"[:2000]
        )


@shared_task(base=AuditTask)
def audit_run_plan(run_id: int) -> str:
    """Claim the run, check its files are the ones uploaded, fix its spec and send one task
    per chunk."""
    run = runs.audit_run_claim(run_id=run_id, orphaned_after=settings.WARDEN_AUDIT_ORPHAN_SECONDS)
    if run is None:
        return "skipped: not claimable"
    problems = engine.integrity_problems(run)
    if problems:
        runs.audit_run_integrity_error(run_id=run_id, attempt=run.attempt, problems=problems)
        return "errored: a file changed since upload"
    if run.scores_transcripts:
        audit_llm.delay(run_id, run.attempt)
        return "sent to the LLM audit"
    try:
        spec = engine.run_spec(run)
    except BatteryInputError as error:
        runs.audit_run_error(run_id=run_id, attempt=run.attempt, reason=str(error))
        return "errored: bad input"
    jobs = engine.chunk_jobs(spec)
    if not runs.audit_run_planned(
        run_id=run_id, attempt=run.attempt, spec=spec, chunks_total=len(jobs)
    ):
        return "skipped: superseded"
    for index in range(len(jobs)):
        audit_chunk.delay(run_id, run.attempt, index)
    return f"planned {len(jobs)} chunks"


@shared_task(base=AuditTask)
def audit_llm(run_id: int, attempt: int) -> str:
    """An LLM audit: probe the endpoint into a transcripts set if the run has none, then score
    the stored transcripts (audits.services.llm)."""
    return llm.llm_audit_execute(run_id=run_id, attempt=attempt)


@shared_task(base=AuditTask)
def audit_chunk(run_id: int, attempt: int, index: int) -> str:
    """Statistics of one chunk; the task that brings the last chunk sends the merge."""
    run = AuditRun.objects.filter(pk=run_id, attempt=attempt, status=RunStatus.RUNNING).first()
    if run is None or run.spec is None:
        return "skipped: superseded"
    if ChunkStats.objects.filter(run=run, attempt=attempt, index=index).exists():
        return "skipped: already computed"
    stats = engine.job_statistics(run.spec, index)
    if runs.chunk_stats_record(run_id=run_id, attempt=attempt, index=index, stats=stats):
        audit_run_finalize.delay(run_id, attempt)
    return f"chunk {index} done"


@shared_task(base=AuditTask)
def audit_run_finalize(run_id: int, attempt: int) -> str:
    """Merge the chunk statistics, judge them and store the document, once."""
    run = AuditRun.objects.filter(pk=run_id, attempt=attempt, status=RunStatus.RUNNING).first()
    if run is None or run.spec is None:
        return "skipped: superseded"
    stats = dict(ChunkStats.objects.filter(run=run, attempt=attempt).values_list("index", "stats"))
    if len(stats) != run.chunks_total:
        return "skipped: chunks missing"
    problems = engine.integrity_problems(run)  # again: the chunks took time, the model loads now
    if problems:
        runs.audit_run_integrity_error(run_id=run_id, attempt=attempt, problems=problems)
        return "errored: a file changed since upload"
    checks: dict[str, str] = {}

    def progress(event: dict) -> None:
        checks[event["id"]] = event["status"]
        runs.audit_run_progress(
            run_id=run_id,
            attempt=attempt,
            progress={
                "stage": "checks",
                "checks": dict(checks),
                "checks_done": event["done"],
                "checks_total": event["total"],
                "chunks_done": run.chunks_total,
                "chunks_total": run.chunks_total,
            },
        )

    document = engine.document_from(run.spec, stats, progress)
    completed = runs.audit_run_complete(run_id=run_id, attempt=attempt, document=document)
    return "completed" if completed else "skipped: completed elsewhere"


@shared_task(**BEAT_RETRY)
def audit_runs_recover() -> str:
    """Beat, every half minute: resend the work of runs whose worker died (heartbeat older than
    WARDEN_AUDIT_ORPHAN_SECONDS) and of queued runs nobody took."""
    stale = timezone.now() - timedelta(seconds=settings.WARDEN_AUDIT_ORPHAN_SECONDS)
    resent = 0
    for run in AuditRun.objects.filter(status=RunStatus.QUEUED, requested_at__lt=stale):
        audit_run_plan.delay(run.pk)
        resent += 1
    for run in AuditRun.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=stale):
        resent += 1
        if run.spec is None:
            audit_run_plan.delay(run.pk)  # died while planning: the claim takes it over
            continue
        missing = runs.missing_chunks(run)
        runs.audit_run_heartbeat(run_id=run.pk, attempt=run.attempt)
        for index in missing:
            audit_chunk.delay(run.pk, run.attempt, index)
        if not missing:
            audit_run_finalize.delay(run.pk, run.attempt)
        logger.warning(
            "audit #%s: resent %s chunk(s) after its worker went quiet", run.pk, len(missing)
        )
    return f"resent {resent} run(s)"


@shared_task(**BEAT_RETRY)
def monitors_run_due() -> str:
    """Beat: queue a drift audit for every active re-auditing monitor whose interval has
    passed, pull every batch monitor's source that is due, and measure completed batch audits
    whose measuring task was lost."""
    started = [monitors.monitor_run(monitor_id=pk) for pk in monitors.monitors_due()]
    for pk in monitors.monitors_pull_due():
        monitor_batch_pull.delay(pk)
    for run_id in monitors.batch_runs_unmeasured():
        monitor_batch_measure.delay(run_id)
    return f"queued {sum(1 for run in started if run)} monitoring audit(s)"


@shared_task(**RETRY)
def monitor_batch_measure(run_id: int) -> str:
    """A completed batch audit's figures into the monitor's history, and its alerts."""
    return f"{history.monitor_batch_measure(run_id=run_id)} point(s)"


@shared_task(**RETRY)
def monitor_batch_pull(monitor_id: int) -> str:
    """Pull a batch monitor's allow-listed source as its next batch."""
    batch = batches.monitor_batch_pull(monitor_id=monitor_id)
    return f"batch #{batch.pk}" if batch else "no new batch"


@shared_task(**BEAT_RETRY)
def staging_sweep() -> str:
    """Beat, hourly: remove web uploads left in staging longer than WARDEN_STAGING_HOURS."""
    removed = staging.staging_sweep(older_than=timedelta(hours=settings.WARDEN_STAGING_HOURS))
    return f"removed {removed} staged upload(s)"

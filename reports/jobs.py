"""Portfolio jobs: a compliance report or an evidence bundle of a scope, requested from the web
and built by a worker (a whole portfolio takes minutes, too long for a request). Each status
change locks the job, follows JOB_TRANSITIONS and records its event in the same transaction."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import IO

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from audits.errors import QueueUnavailable
from governance.errors import Conflict, InvalidInput
from governance.models import EventVerb, Team, User
from governance.tasks import TRANSIENT
from governance.trail import event_record, snapshot
from reports import compliance
from reports.bundle import evidence_bundle_write
from reports.models import JOB_TRANSITIONS, JobKind, JobStatus, ReportJob
from reports.permissions import require_read_portfolio
from reports.scope import TIERS
from reports.services import compliance_report_sign
from reports.zip_entries import READ_CHUNK

logger = logging.getLogger(__name__)
JOB_FIELDS = [
    "kind",
    "team",
    "tier",
    "period_from",
    "period_until",
    "status",
    "attempt",
    "items_done",
    "items_total",
    "result",
    "result_sha256",
    "result_size",
    "report",
    "error",
]


def report_job_request(
    *,
    actor: User,
    kind: str,
    team: str | None = None,
    tier: int | None = None,
    period_from: datetime | None = None,
    period_until: datetime | None = None,
) -> ReportJob:
    """Record a job for `kind` over the scope and hand it to a worker once it commits. A broker
    that does not answer fails the job and raises QueueUnavailable (503)."""
    require_read_portfolio(actor)
    if kind not in JobKind.values:
        raise InvalidInput(f"must be one of {', '.join(JobKind.values)}", field="kind")
    chosen = None
    if team is not None:
        chosen = Team.objects.filter(slug=team).first()
        if chosen is None:
            raise InvalidInput(f"no team with the slug {team!r}", field="team")
    if tier is not None and tier not in TIERS:
        raise InvalidInput("must be 1, 2 or 3", field="tier")
    if period_from is not None and period_until is not None and period_from >= period_until:
        raise InvalidInput("must be later than period_from", field="period_until")
    job = ReportJob(
        kind=kind,
        team=chosen,
        tier=tier,
        period_from=period_from,
        period_until=period_until,
        requested_by=actor,
    )
    try:
        with transaction.atomic():
            job.save()
            event_record(
                actor=actor,
                verb=EventVerb.REPORT_JOB_REQUESTED,
                target=job,
                after=snapshot(job, JOB_FIELDS),
                note=job.scope.describe(),
            )
            transaction.on_commit(partial(_enqueue, job.pk))
    except (BrokerError, OSError) as error:
        report_job_fail(
            job_id=job.pk, attempt=job.attempt, reason=f"the queue did not answer: {error}"
        )
        raise QueueUnavailable(
            "the task queue is unavailable; the job was not started, try again shortly"
        ) from None
    return job


def _enqueue(job_id: int) -> None:
    from reports.tasks import report_job_run

    report_job_run.delay(job_id)


def report_job_build(*, job_id: int) -> ReportJob | None:
    """The worker's part: claim the job, build its file into storage with progress, finish it.
    None when the job is finished already (a redelivered task). A transient failure (database,
    broker) propagates for the task to retry; any other fails the job with its reason, logged."""
    job = _claim(job_id)
    if job is None:
        return None
    progress = partial(_progress, job.pk, job.attempt)
    try:
        if job.kind == JobKind.COMPLIANCE:
            return _compliance_build(job, progress)
        with tempfile.TemporaryFile() as target:
            evidence_bundle_write(
                actor=job.requested_by, target=target, scope=job.scope, on_progress=progress
            )
            return _bundle_store(job, target)
    except TRANSIENT:
        raise
    except Exception as error:
        logger.exception("report job %s failed", job.pk)
        report_job_fail(job_id=job.pk, attempt=job.attempt, reason=str(error) or repr(error))
        return ReportJob.objects.get(pk=job.pk)


def report_job_download(*, actor: User, job: ReportJob) -> ReportJob:
    """The job whose result `actor` may download: portfolio readers only, once it is done."""
    require_read_portfolio(actor)
    if not job.is_done:
        raise Conflict(f"job #{job.pk} is {job.status}: its file can be downloaded once it is done")
    return job


def report_job_fail(*, job_id: int, attempt: int, reason: str) -> None:
    """Mark the job failed with its reason, unless a newer attempt holds it or it finished."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job_id)
        if job.attempt != attempt or job.is_finished:
            return
        before = snapshot(job, JOB_FIELDS)
        _transition(job, JobStatus.FAILED)
        job.error = reason[:2000]
        job.finished_at = timezone.now()
        job.save()
        event_record(
            actor=None,
            verb=EventVerb.REPORT_JOB_FAILED,
            target=job,
            before=before,
            after=snapshot(job, JOB_FIELDS),
            note=job.error,
        )


def _claim(job_id: int) -> ReportJob | None:
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return None
        before = snapshot(job, JOB_FIELDS)
        _transition(job, JobStatus.RUNNING)
        job.attempt += 1
        job.items_done = 0
        job.items_total = job.scope.models().count()
        job.started_at = timezone.now()
        job.save()
        event_record(
            actor=None,
            verb=EventVerb.REPORT_JOB_STARTED,
            target=job,
            before=before,
            after=snapshot(job, JOB_FIELDS),
        )
    return ReportJob.objects.select_related("requested_by", "team").get(pk=job_id)


def _progress(job_id: int, attempt: int, done: int, total: int) -> None:
    """Telemetry, not a change of state: no event, and only the current attempt's counts."""
    ReportJob.objects.filter(pk=job_id, attempt=attempt, status=JobStatus.RUNNING).update(
        items_done=done, items_total=total
    )


def _compliance_build(job: ReportJob, progress: Callable[[int, int], None]) -> ReportJob:
    portfolio = compliance.portfolio(scope=job.scope, on_progress=progress)
    report = compliance_report_sign(actor=job.requested_by, portfolio=portfolio)

    def keep(job_: ReportJob) -> None:
        job_.report = report
        job_.result.name = report.file.name  # the signed report's own file: one copy in storage
        job_.result_sha256, job_.result_size = report.sha256, report.size

    return _finish(job, keep)


def _bundle_store(job: ReportJob, target: IO[bytes]) -> ReportJob:
    target.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(partial(target.read, READ_CHUNK), b""):
        digest.update(chunk)
    size = target.tell()
    target.seek(0)
    name = f"warden-evidence-{timezone.now():%Y%m%dT%H%M%SZ}-job{job.pk}.zip"

    def keep(job_: ReportJob) -> None:
        job_.result.save(name, File(target), save=False)
        job_.result_sha256, job_.result_size = digest.hexdigest(), size

    return _finish(job, keep)


def _finish(job: ReportJob, keep: Callable[[ReportJob], None]) -> ReportJob:
    with transaction.atomic():
        locked = ReportJob.objects.select_for_update().get(pk=job.pk)
        if locked.attempt != job.attempt:
            raise Conflict(f"job #{job.pk} was claimed again by another worker")
        before = snapshot(locked, JOB_FIELDS)
        _transition(locked, JobStatus.DONE)
        keep(locked)
        locked.items_done = locked.items_total
        locked.finished_at = timezone.now()
        locked.save()
        event_record(
            actor=None,
            verb=EventVerb.REPORT_JOB_COMPLETED,
            target=locked,
            before=before,
            after=snapshot(locked, JOB_FIELDS),
            note=f"sha256 {locked.result_sha256}",
        )
    return locked


def _transition(job: ReportJob, to: str) -> None:
    if to not in JOB_TRANSITIONS[job.status]:
        raise Conflict(f"job #{job.pk} is {job.status} and cannot become {to}")
    job.status = to

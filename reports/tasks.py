"""Celery tasks of the reports app: each takes an id and calls one service."""

import logging

from celery import shared_task

from governance.models import ModelVersion
from governance.tasks import TRANSIENT
from reports import jobs, services

logger = logging.getLogger(__name__)
# A document task survives its worker's loss (redelivered) and retries transient failures.
DOCUMENT_TASK = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": True,
    "max_retries": 3,
}


@shared_task(**DOCUMENT_TASK)
def model_card_generate(version_id: int) -> str:
    """Issue the version's model card unless a card of its current state exists (so a
    redelivered task issues nothing twice)."""
    version = ModelVersion.objects.select_related("model").filter(pk=version_id).first()
    if version is None:
        return "skipped: no such version"
    if services.model_card_current(version) is not None:
        return "skipped: a current card exists"
    report = services.model_card_issue(actor=None, version=version)
    return f"issued {report.record}"


def model_card_on_approval(version_id: int) -> None:
    """governance.hooks listener: queue the card once the approval has committed."""
    model_card_generate.delay(version_id)


@shared_task(**DOCUMENT_TASK)
def report_job_run(job_id: int) -> str:
    """Build a portfolio job's compliance report or evidence bundle (reports.jobs)."""
    job = jobs.report_job_build(job_id=job_id)
    return "skipped: finished already" if job is None else f"job {job.pk} {job.status}"

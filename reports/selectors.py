"""Reads of the reports app that views share."""

from django.db.models import QuerySet

from governance.errors import NotFound
from reports.models import ReportJob


def report_job_list() -> QuerySet[ReportJob]:
    """Portfolio jobs, newest first, with what their answers show."""
    return ReportJob.objects.select_related("requested_by", "team").order_by("-created_at", "-id")


def report_job_get(pk: int) -> ReportJob:
    job = report_job_list().filter(pk=pk).first()
    if job is None:
        raise NotFound(f"no portfolio job #{pk}", field="id")
    return job

"""Scheduled registry work (Celery beat)."""

from celery import shared_task
from django.db import OperationalError

from governance import lifecycle


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def revalidation_reminders_send() -> str:
    """Beat, hourly: remind owners of versions whose approval expires within the notice period."""
    sent = [lifecycle.revalidation_remind(version_id=pk) for pk in lifecycle.revalidations_due()]
    return f"sent {sum(sent)} reminder(s)"

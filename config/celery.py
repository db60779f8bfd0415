"""The Celery app. Tasks are found in each app's `tasks.py`; settings come from Django's
settings under the CELERY_ prefix."""

import logging.config
import os
from typing import Any

from celery import Celery
from celery.signals import setup_logging, worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("warden")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def logging_from_settings(**kwargs: Any) -> None:
    """Workers and beat log as the web does, through Django's LOGGING (JSON lines carrying the
    task and audit run ids under WARDEN_LOG_FORMAT=json), instead of Celery's own format."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@worker_init.connect
@worker_process_init.connect
def _below_the_web_tier(**_) -> None:
    """The worker, and each process it forks, runs below the web tier's priority with bounded
    thread pools (WARDEN_WORKER_NICE, WARDEN_WORKER_THREADS)."""
    from django.conf import settings

    from config.worker_priority import bound_thread_pools, lower_priority

    lower_priority(settings.WARDEN_WORKER_NICE)
    bound_thread_pools(settings.WARDEN_WORKER_THREADS)

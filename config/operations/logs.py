"""Structured logs: one JSON object a line, carrying the request id in the web process and
the task's id, name and audit run id in a worker, so one request or one run can be followed
through every process that touched it (WARDEN_LOG_FORMAT=json)."""

import inspect
import json
import logging
from datetime import UTC, datetime
from functools import cache
from typing import Any

from celery import current_task

from governance.request_context import current_request_id

# The task argument that names an audit run (the audits tasks take it first).
RUN_ID_ARGUMENT = "run_id"
# LogRecord attributes that are the record's own, not `extra=` fields a caller added.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "request_id",
    "task_id",
    "task_name",
    "run_id",
    "context",
    "request",  # django.request's WSGIRequest: its id is taken, the object is not printed
}


def task_context() -> dict[str, Any]:
    """The Celery task this thread is running, if any: its id, name and audit run id."""
    task = current_task
    request: Any = getattr(task, "request", None) if task else None
    task_id = getattr(request, "id", None)
    if not task_id:
        return {}
    context: dict[str, Any] = {"task_id": task_id, "task_name": task.name}
    run_id = (request.kwargs or {}).get(RUN_ID_ARGUMENT)
    position = run_id_position(task.name)
    if run_id is None and position is not None and len(request.args or ()) > position:
        run_id = request.args[position]
    if run_id is not None:
        context["run_id"] = run_id
    return context


@cache
def run_id_position(task_name: str) -> int | None:
    """Where the named task takes `run_id` among its positional arguments (None: it does not)."""
    from celery import current_app

    task = current_app.tasks.get(task_name)
    if task is None:
        return None
    names = list(inspect.signature(task.run).parameters)
    return names.index(RUN_ID_ARGUMENT) if RUN_ID_ARGUMENT in names else None


class ContextFilter(logging.Filter):
    """Puts the request id and the task context on every record (empty outside either), and
    `context`, the same as ` key=value` pairs for the text format."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a 4xx/5xx after the middleware has left, with the request in `extra`.
        request_id = current_request_id.get() or getattr(
            getattr(record, "request", None), "request_id", ""
        )
        context = {"request_id": request_id, **task_context()}
        for key, value in context.items():
            setattr(record, key, value)
        record.context = "".join(f" {key}={value}" for key, value in context.items() if value)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the context the
    filter added, any `extra=` fields, and the exception's traceback as text."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "task_id", "task_name", "run_id"):
            value = getattr(record, key, None)
            if value not in (None, ""):
                line[key] = value
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """Django's LOGGING for `log_format` ("text" or "json"): the console, every record carrying
    the request or task context either way."""
    formatters = {
        "json": {"()": "config.operations.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"},
    }
    if log_format not in formatters:
        raise ValueError(f"WARDEN_LOG_FORMAT: expected text or json, got {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "config.operations.logs.ContextFilter"}},
        "formatters": {log_format: formatters[log_format]},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["context"],
                "formatter": log_format,
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }

"""Structured logs: one JSON object a line carrying the request id (also on Django's own 4xx
lines, logged after the middleware has left) or the Celery task's id, name and audit run id."""

import io
import json
import logging
from collections.abc import Iterator

import pytest

from config.celery import app
from config.operations.logs import ContextFilter, JsonFormatter, logging_config
from governance.request_context import current_request_id


@app.task(name="tests.config.operations.log_probe")
def log_probe(run_id: int, note: str) -> None:
    logging.getLogger("warden.test").info("probing %s", note)


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """What the JSON console handler writes, for the loggers these tests use."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger(name) for name in ("django.request", "warden.test")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield stream
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.django_db
def test_djangos_own_line_for_a_404_carries_the_request_id(client, lines):
    response = client.get("/no/such/page/", HTTP_X_REQUEST_ID="req-abc-123")
    assert response.status_code == 404
    (line,) = records(lines)
    assert line["request_id"] == "req-abc-123"
    assert line["level"] == "WARNING"
    assert line["logger"] == "django.request"
    assert line["message"] == "Not Found: /no/such/page/"
    assert "request" not in line  # the request object itself is never printed


def test_a_line_inside_a_request_carries_its_id_and_extra_fields(lines):
    token = current_request_id.set("req-xyz")
    try:
        logging.getLogger("warden.test").info("hello %s", "world", extra={"model": "credit"})
    finally:
        current_request_id.reset(token)
    (line,) = records(lines)
    assert (line["request_id"], line["message"], line["model"]) == (
        "req-xyz",
        "hello world",
        "credit",
    )
    assert line["time"].endswith("+00:00")


def test_an_exception_is_one_line_with_its_traceback(lines):
    try:
        raise ValueError("bad input")
    except ValueError:
        logging.getLogger("warden.test").exception("failed")
    (line,) = records(lines)
    assert "ValueError: bad input" in line["exception"]
    assert len(lines.getvalue().splitlines()) == 1


def test_a_task_line_carries_the_task_id_and_the_run_id(lines):
    result = log_probe.apply(args=(42, "eager"))
    (line,) = records(lines)
    assert line["task_id"] == result.id
    assert line["task_name"] == "tests.config.operations.log_probe"
    assert line["run_id"] == 42
    assert line["message"] == "probing eager"


def test_the_text_format_shows_the_request_id():
    config = logging_config("text", "INFO")
    formatter = logging.Formatter(config["formatters"]["text"]["format"])
    record = logging.LogRecord("warden.test", logging.INFO, __file__, 1, "hi", None, None)
    token = current_request_id.set("req-1")
    try:
        ContextFilter().filter(record)
    finally:
        current_request_id.reset(token)
    assert "warden.test request_id=req-1: hi" in formatter.format(record)


def test_an_unknown_format_is_refused_naming_the_variable():
    with pytest.raises(ValueError, match="WARDEN_LOG_FORMAT"):
        logging_config("xml", "INFO")

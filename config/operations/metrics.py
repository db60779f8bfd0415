"""Prometheus metrics. Requests and gate decisions are counted in the web process that served
them (across gunicorn's workers through prometheus-client's multiprocess directory); audits,
the Celery queue and the outbox are read from the database and the broker at each scrape, so
every web process answers the same whichever worker or host did the work."""

import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from audits.selectors import audit_durations, audit_run_counts
from config.operations.multiprocess import METRICS_DIR_VARIABLE
from config.operations.probes import ProbeFailed, broker_queue_depth
from governance.outbox import outbox_backlog

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNRESOLVED_VIEW = "<unresolved>"
# Audit runs take seconds to tens of minutes (the task's hard limit is 31 minutes).
AUDIT_BOUNDS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1860.0)

REQUESTS = Counter(
    "warden_http_requests",
    "HTTP requests answered, by view (its URL name), method and status code.",
    ["view", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "warden_http_request_duration_seconds",
    "Time to answer an HTTP request, by view and method.",
    ["view", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)


def view_label(request: HttpRequest) -> str:
    """The matched URL's name (never the path: one series per route, not per model)."""
    match = getattr(request, "resolver_match", None)
    return (match.view_name or match._func_path) if match else UNRESOLVED_VIEW


class MetricsMiddleware:
    """Counts and times every request; first in MIDDLEWARE so the time includes the rest."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in METHODS else "other"
        view = view_label(request)
        REQUEST_SECONDS.labels(view, method).observe(time.perf_counter() - started)
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        return response


class StateCollector(Collector):
    """What the database and broker say now: audit runs by status and how long finished ones
    took, the Celery queue's depth, and the outbox's backlog."""

    def collect(self) -> Iterator[Metric]:
        runs = GaugeMetricFamily("warden_audit_runs", "Audit runs by status.", labels=["status"])
        for status, count in audit_run_counts().items():
            runs.add_metric([status], count)
        yield runs
        took = HistogramMetricFamily(
            "warden_audit_duration_seconds",
            "Start-to-finish time of finished audit runs, by final status.",
            labels=["status"],
        )
        for durations in audit_durations(AUDIT_BOUNDS):
            buckets = [(str(bound), n) for bound, n in durations.at_most]
            took.add_metric(
                [durations.status],
                [*buckets, ("+Inf", durations.count)],
                sum_value=durations.total_seconds,
            )
        yield took
        yield from self.queue()
        backlog = outbox_backlog()
        deliveries = GaugeMetricFamily(
            "warden_outbox_deliveries", "Outbox deliveries not delivered.", labels=["status"]
        )
        deliveries.add_metric(["pending"], backlog.pending)
        deliveries.add_metric(["dead"], backlog.dead)
        yield deliveries
        yield GaugeMetricFamily(
            "warden_outbox_oldest_pending_seconds",
            "Age of the oldest message a pending delivery still carries (0: none pending).",
            value=backlog.oldest_pending_seconds,
        )

    def queue(self) -> Iterator[Metric]:
        """The task queue's depth, and whether the broker answered (depth absent when not)."""
        queue = settings.CELERY_TASK_DEFAULT_QUEUE
        up = GaugeMetricFamily("warden_broker_up", "Whether the broker answered this scrape.")
        try:
            depth = broker_queue_depth(queue)
        except ProbeFailed:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        waiting = GaugeMetricFamily(
            "warden_celery_queue_depth", "Tasks waiting in the broker's queue.", labels=["queue"]
        )
        waiting.add_metric([queue], depth)
        yield waiting


def metrics_exposition() -> bytes:
    """The text a scrape reads: this process's (or, under gunicorn, every worker's) counters
    and the state read now."""
    registry = CollectorRegistry(auto_describe=False)
    directory = os.environ.get(METRICS_DIR_VARIABLE)
    if directory:
        MultiProcessCollector(registry, path=directory)
    else:
        registry.register(REGISTRY)
    registry.register(StateCollector())
    return generate_latest(registry)

"""Gunicorn settings for the web process: the Dockerfile, docker-compose and
bench/load_bench.py all start gunicorn with `-c config/gunicorn.py`, so the load numbers
describe what ships. The bind address stays on each command line."""

import gc
import multiprocessing

from config.env import env_int, env_str
from config.operations.multiprocess import METRICS_DIR_VARIABLE, metrics_folder_prepare

# Sync workers, two per core: each waits on PostgreSQL or Redis part of every request.
workers = env_int(
    "WEB_CONCURRENCY",
    2 * multiprocessing.cpu_count(),
    doc="gunicorn workers (`config/gunicorn.py`)",
    shown="two per core (2 under `make run`)",
)
# A sync worker busy past this is restarted; an evaluation-set upload streams in and is
# converted to Parquet within its request (29 s for 5M rows), past gunicorn's default of 30 s.
timeout = env_int(
    "WEB_TIMEOUT", 300, doc="seconds a request may run before gunicorn restarts its worker"
)
# Import Django and every view once in the master, then fork: a worker takes its first
# request at once instead of spending seconds importing (and shares those pages).
preload_app = True

# /metrics counts every worker's requests: prometheus-client's multiprocess mode, whose folder
# must be named before the first import of prometheus-client (preloading imports it here), and
# emptied at each start so a previous run's counts do not return. Only when gunicorn loads this
# file (as `__config__`): the README's table generator reads it too.
metrics_dir = env_str(
    METRICS_DIR_VARIABLE,
    doc="the folder gunicorn's workers keep their metrics in (emptied at each start)",
    shown="a fresh folder under the temporary directory per gunicorn start",
)
if __name__ == "__config__":
    metrics_dir = metrics_folder_prepare(metrics_dir)


def when_ready(server: object) -> None:
    """Before the first fork: import the URLconf (hence every view), the model loaders an
    audit request checks the artifact with, and the broker's transport a request publishes
    through; leave no database connection open for the workers to share; freeze what is
    there for the garbage collector. Without the imports, each worker's first audit request
    took 0.7-1.2 s longer (bench/e2e_bench.py)."""
    from django.db import connections
    from django.urls import get_resolver
    from kombu.transport import resolve_transport

    from audits.battery.artifacts import loaders_import
    from config.celery import app

    get_resolver().url_patterns  # noqa: B018 - the import is the point
    loaders_import()
    resolve_transport(app.connection_for_write().transport_cls)
    connections.close_all()
    # What the master imported (Django, pandas, scikit-learn, matplotlib: ~320,000 objects)
    # lives as long as the workers: out of the collector's sight, a full collection in a
    # request scans only what the worker made since. Each had cost 190-290 ms and made the
    # pages' p99 at 10,000 models about 4x their p95 (bench/portfolio_pages_bench.py).
    gc.freeze()


def child_exit(server: object, worker: object) -> None:
    """A worker gone: its live gauges leave /metrics (its counts stay in the totals)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]

"""Gunicorn settings for the web process: the Dockerfile, docker-compose and
bench/load_bench.py all start gunicorn with `-c config/gunicorn.py`, so the load numbers
describe what ships. The bind address stays on each command line."""

import multiprocessing

from config.env import env_int

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


def when_ready(server: object) -> None:
    """Before the first fork: import the URLconf (hence every view), and leave no database
    connection open for the workers to share."""
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the import is the point
    connections.close_all()

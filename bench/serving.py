"""What the web benchmarks share: a throw-away PostgreSQL database, gunicorn started as
production runs it (config/gunicorn.py), and wrk as the load generator (Debian's `wrk`, a C
client, so it takes little of the cores it measures), its report as one JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
WRK_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format('{"requests": %d, "seconds": %f, "p50": %f, "p95": %f, "p99": %f, '
    .. '"errors": %d}\\n', summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, errors))
end
"""


def recreate_database(name: str) -> None:
    """Drop and create a benchmark's own database on the local server."""
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{name}"')


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A server process of the bench's, in its own session (stopped with its children)."""
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        start_new_session=True,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def gunicorn_start(env: dict[str, str], log: Path, workers: int | None = None) -> subprocess.Popen:
    """gunicorn with the production configuration on 127.0.0.1:PORT."""
    command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
    command += ["--bind", f"127.0.0.1:{PORT}", "--log-level", "warning"]
    if workers:
        command += ["--workers", str(workers)]
    return start(command, env, log)


def worker_start(env: dict[str, str], log: Path, name: str) -> subprocess.Popen:
    """One `celery worker --concurrency=1` named `name` (it lowers its own priority and thread
    pools at start, config/celery.py)."""
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency=1"]
    return start([*command, "-n", f"{name}@%h", "-l", "warning"], env, log)


def wait_until_workers(count: int, timeout: float = 120) -> None:
    """Until `count` Celery workers answer a ping: their start-up (seconds of imports on
    each) must not fall inside a measured phase."""
    from config.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(app.control.ping(timeout=1)) >= count:
            return
    raise SystemExit("the Celery workers did not start; see their logs")


def wait_until_serving(timeout: float = 120) -> None:
    """Until gunicorn answers: preloading the app takes a minute on a machine at load 15."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{BASE}/api/schema/", timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start; see its log")


def wrk(url: str, header: str, duration: int, connections: int, script: Path) -> dict:
    """wrk's figures for `url` asked with `header` (a token or a session cookie): requests,
    seconds, p50 / p95 / p99 in ms, errors (non-2xx/3xx answers count) and requests/s."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    command += ["-s", str(script), "-H", header, url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["rps"] = result["requests"] / result["seconds"]
    return result

"""Real Celery worker processes for integration tests: a Redis broker on localhost, the test
database and media folder shared with the worker, and start / SIGKILL / stop helpers."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app

REDIS_URL = "redis://127.0.0.1:6379/15"
# A queue of this test session's own, so two test runs sharing one Redis never take each
# other's tasks (their databases differ, and a run id means another run there).
QUEUE = f"warden-test-{os.getpid()}"
REPO_DIR = Path(__file__).resolve().parent.parent


def redis_answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def database_url() -> str:
    """The URL of the test database this process uses, for the worker to open too."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user, host, port = settings["USER"], settings["HOST"], settings["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def use_broker(url: str, *, eager: bool = False) -> None:
    """Point this process's Celery app at a broker; connection pools are keyed by URL, so
    dropping the app's cached pools makes the next publish use the new one."""
    app.conf.broker_url = url
    app.conf.task_always_eager = eager
    app.conf.task_default_queue = "celery" if eager else QUEUE
    app._pool = None
    app.amqp._producer_pool = None
    for cached in ("queues", "default_queue", "router"):  # built from the old default queue
        app.amqp.__dict__.pop(cached, None)


def use_eager() -> None:
    """Back to the test settings' in-process (eager) tasks."""
    use_broker("memory://", eager=True)


class Workers:
    """Starts worker processes in their own process groups and stops or kills them."""

    def __init__(self, media_root: Path, var_dir: Path, log_dir: Path) -> None:
        self.media_root, self.var_dir, self.log_dir = media_root, var_dir, log_dir
        self.processes: list[subprocess.Popen] = []

    def start(
        self,
        name: str,
        *,
        concurrency: int = 1,
        beat: bool = False,
        cwd: Path | None = None,
        **env: str,
    ) -> subprocess.Popen:
        """A worker process named `name`, in `cwd` (default: the pool's empty run folder), its
        environment this pool's plus `env`."""
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-l",
            "info",
            f"--concurrency={concurrency}",
            "-n",
            f"{name}@%h",
            "--without-mingle",
            "--without-gossip",
        ]
        if beat:
            command += ["-B", "--schedule", str(self.var_dir / f"beat-{name}")]
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "MEDIA_ROOT": str(self.media_root),
            "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
            "WARDEN_VAR_DIR": str(self.var_dir),
            "PYTHONPATH": str(REPO_DIR),
            # One organisation key, as in production: checkpoints a worker signs must verify here.
            "WARDEN_SIGNING_DEV_DIR": str(settings.WARDEN_SIGNING_DEV_DIR),
            **env,
        }
        log = (self.log_dir / f"worker-{name}.log").open("wb")
        run_dir = (
            cwd or self.var_dir / "run"
        )  # empty, as in production: no relative path finds a file
        run_dir.mkdir(parents=True, exist_ok=True)
        process = subprocess.Popen(
            command,
            cwd=run_dir,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool children at once: no goodbye, no acknowledgements."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def log(self, name: str) -> str:
        return (self.log_dir / f"worker-{name}.log").read_text(errors="replace")


@pytest.fixture
def workers(transactional_db, media_root, tmp_path) -> Iterator[Workers]:
    """Redis-backed Celery for this test: the app publishes to this session's queue on Redis
    db 15 (purged first) and workers are real processes on the same database. Skipped, with
    the reason, without Redis."""
    if not redis_answers():
        pytest.skip("needs Redis answering on 127.0.0.1:6379 (make test starts it in CI)")
    use_broker(REDIS_URL)
    with app.connection_for_write() as connection_:
        connection_.default_channel.queue_purge(QUEUE)  # leftovers of this session's tests
    pool = Workers(media_root, tmp_path / "var", tmp_path)
    (tmp_path / "var").mkdir()
    try:
        yield pool
    finally:
        pool.stop_all()
        use_eager()


def wait_for(predicate, *, timeout: float, every: float = 0.1, what: str = "condition"):
    """Poll until predicate() is truthy and return its value; fail naming what never happened."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    pytest.fail(f"timed out after {timeout} s waiting for {what}")

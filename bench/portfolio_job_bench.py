"""Portfolio job benchmark (issue #20): the evidence bundle of a whole portfolio built by one
Celery worker, its time and the worker's peak memory, at two portfolio sizes.

    .venv/bin/python bench/portfolio_job_bench.py [--models 1000] [--baseline-models 100]
        [--database warden_jobs_bench] [--redis-db 14]

For each size it builds a throw-away PostgreSQL database (`--database`, dropped and made again)
on 127.0.0.1:5432 with `manage.py portfolio_build --models N` (3 versions a model, their audits,
decisions, incidents and chained trail), starts one `celery worker --pool=solo` (Redis db
`--redis-db`), asks for
the whole portfolio's evidence bundle through the service the API calls, and waits for it.
It prints the build's seconds (requested to done), the bundle's size and the worker's peak
resident memory (VmHWM: the worker runs the task in its own process), and the ratios against
the baseline size (the worker is warmed first with one team's compliance report, untimed):
flat memory means a peak-memory ratio near 1 while time grows with the models.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reports.models import ReportJob

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUEUE = "warden-jobs-bench"


def environment(workdir: Path, database: str, redis_db: int) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{redis_db}",
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "MEDIA_ROOT": str(workdir / "media"),
        "WARDEN_VAR_DIR": str(workdir / "var"),
        "LOG_LEVEL": "WARNING",
    }


def recreate_database(database: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {database}")


def measure(models: int, workdir: Path, env: dict[str, str]) -> dict[str, float]:
    """Build a portfolio of `models` and one bundle of it on a fresh worker."""
    from django.db import connections

    connections.close_all()  # the database is dropped and made again
    recreate_database(env["DATABASE_URL"].rsplit("/", 1)[1])
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env={**os.environ, **env}, check=True)
    subprocess.run(
        [*manage, "portfolio_build", "--models", str(models)],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
    )
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"]
    command += ["-Q", QUEUE, "-l", "warning", "--without-mingle", "--without-gossip"]
    log = (workdir / f"worker-{models}.log").open("wb")
    worker = subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_until_ready()
        row = _bundle(models, worker)
        row["peak_mib"] = _peak_rss_mib(worker.pid)
        return row
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)


def _wait_until_ready(timeout: float = 120) -> None:
    """Until the worker answers a ping, so its start-up is not timed."""
    from config.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1):
            return
    raise SystemExit("the worker did not start; see its log")


def _peak_rss_mib(pid: int) -> float:
    """The process's peak resident memory so far (Linux: VmHWM in /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise SystemExit("no VmHWM in /proc: this benchmark reads Linux's process status")


def _await(job: ReportJob, worker: subprocess.Popen) -> ReportJob:
    while not job.is_finished:
        if worker.poll() is not None:
            raise SystemExit("the worker exited; see its log")
        time.sleep(0.5)
        job.refresh_from_db()
    return job


def _bundle(models: int, worker: subprocess.Popen) -> dict[str, float]:
    from config.celery import app
    from governance.models import Team, User
    from governance.roles import Role
    from reports.jobs import report_job_request
    from reports.models import JobKind, JobStatus

    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(QUEUE)
    auditor = User.objects.filter(groups__name=Role.AUDITOR).first()
    assert auditor is not None, "portfolio_build makes auditors"
    # Warm-up, untimed: one team's compliance report loads WeasyPrint and its fonts once.
    team = Team.objects.order_by("slug").first()
    _await(report_job_request(actor=auditor, kind=JobKind.COMPLIANCE, team=team.slug), worker)
    started = time.perf_counter()
    job = _await(report_job_request(actor=auditor, kind=JobKind.EVIDENCE), worker)
    seconds = time.perf_counter() - started
    if job.status != JobStatus.DONE:
        raise SystemExit(f"the job failed: {job.error}")
    assert (job.items_done, job.items_total) == (models, models)
    return {"models": models, "seconds": seconds, "bundle_mib": (job.result_size or 0) / 2**20}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--baseline-models", type=int, default=100)
    parser.add_argument("--database", default="warden_jobs_bench", help="dropped and made again")
    parser.add_argument("--redis-db", type=int, default=14)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        env = environment(workdir, options.database, options.redis_db)
        os.environ.update(env)
        import django

        django.setup()
        rows = [measure(n, workdir, env) for n in (options.baseline_models, options.models)]
    for row in rows:
        print(
            f"evidence bundle, {row['models']:>5.0f} models: {row['seconds']:7.1f} s, "
            f"{row['bundle_mib']:7.1f} MiB zip, worker peak RSS {row['peak_mib']:6.0f} MiB"
        )
    base, big = rows
    print(
        f"{big['models']:.0f} vs {base['models']:.0f} models (the baseline): "
        f"time x{big['seconds'] / base['seconds']:.2f}, "
        f"peak memory x{big['peak_mib'] / base['peak_mib']:.2f} (flat memory: near 1)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

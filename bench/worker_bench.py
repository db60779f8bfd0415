"""Benchmark of audit runs on Celery workers (issue #4): one audit of a 5,000,000-row set on one
worker process and on two, the wall time from request to completed document, and the ratio.

    .venv/bin/python bench/worker_bench.py                 # 5M rows, Redis if it answers
    .venv/bin/python bench/worker_bench.py --rows 1000000

It builds a throw-away Warden (SQLite and media in a temp dir), uploads the synthetic set of
bench/battery_bench.py through the real intake (CSV/Parquet check, Parquet copy), then for each
worker count starts that many `celery worker --concurrency=1` processes, requests the audit
through the service, polls until it completes and stops the workers. The broker is Redis on
127.0.0.1:6379 (db 14, purged) when it answers, else the embedded file-system broker.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def configure(workdir: Path, broker: str) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "WARDEN_VAR_DIR": str(workdir / "var"),
        "CELERY_BROKER_URL": broker,
        "WARDEN_AUDIT_CHUNK_ROWS": "262144",
    }
    os.environ.update(env)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="warden-worker-bench-"))
    broker = "redis://127.0.0.1:6379/14" if redis_answers() else "filesystem://"
    env = configure(workdir, broker)

    import django

    django.setup()
    from django.core.files import File
    from django.core.management import call_command

    from audits.models import AuditRun
    from audits.services import evaluation_sets, runs
    from bench.battery_bench import MAPPING, generate
    from bench.registry_seed import bench_version
    from config.celery import app

    call_command("migrate", verbosity=0)
    if broker.startswith("redis"):
        app.control.purge()
    version = bench_version()
    engineer = version.created_by
    data = workdir / "bench.parquet"
    generate(data, args.rows, seed=1, shift=0.0)
    started = time.perf_counter()
    with data.open("rb") as handle:
        evaluation_set = evaluation_sets.evaluation_set_upload(
            actor=engineer,
            version=version,
            file=File(handle, name="bench.parquet"),
            mapping=MAPPING,
            role="current",
        )
    print(
        f"worker bench: {args.rows:,} rows, broker {broker.split(':')[0]}, "
        f"upload intake {time.perf_counter() - started:.1f} s"
    )

    times = {}
    for count in (1, 2):
        workers = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    "--concurrency=1",
                    "-n",
                    f"bench{count}-{i}@%h",
                    "-l",
                    "warning",
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=ROOT,
                env={**os.environ, **env},
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for i in range(count)
        ]
        time.sleep(4)  # let the workers connect before the clock starts
        begun = time.perf_counter()
        run = runs.audit_run_request(
            actor=engineer, version=version, evaluation_set=evaluation_set, with_model=False
        )
        while (state := AuditRun.objects.get(pk=run.pk)).status in ("queued", "running"):
            time.sleep(0.2)
        times[count] = time.perf_counter() - begun
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
        print(
            f"  {count} worker(s): {times[count]:.1f} s, {state.chunks_total} chunks, "
            f"status {state.status} {state.verdict}"
        )
    print(f"  speed-up of two workers over one: {times[1] / times[2]:.2f}x")


if __name__ == "__main__":
    main()

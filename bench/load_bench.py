"""Load benchmark (issue #9): gunicorn + PostgreSQL + Redis + two Celery workers on loopback.

    .venv/bin/python bench/load_bench.py [--duration 20] [--connections 32] [--web-workers N]

Builds a throw-away database `warden_load` on 127.0.0.1:5432 and a media folder in a temp dir,
seeds 50 models and one approved, audited version, then starts gunicorn on 127.0.0.1:8765 with
the production settings (config/gunicorn.py; --web-workers overrides its worker count), the
cache on Redis db 12 as docker-compose has it, and two `celery worker --concurrency=1`
processes on Redis db 13. It measures with wrk (Debian's `wrk`, a C load generator, so the
client takes little of the two cores):
  1. the gate   GET /api/gate/?model=..&version=..&environment=prod  (a pipeline's token)
  2. the list   GET /api/models/  (an auditor's token)
  3. mixed      the gate under wrk while engineers upload evaluation sets and start audits
                (Python threads, one request every ~0.3 s each), every audit awaited.
It prints requests/s, p50/p95/p99 latency and errors per phase against the targets (gate and
list >= 300 requests/s with p95 under 100 ms, no errors). All traffic stays on 127.0.0.1 and
every loop is bounded by --duration.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.serving import (  # noqa: E402
    BASE,
    WRK_REPORT,
    gunicorn_start,
    recreate_database,
    wait_until_serving,
    wait_until_workers,
    worker_start,
    wrk,
)

TARGET_RPS, TARGET_P95_MS = 300, 100


def environment(workdir: Path) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/warden_load",
        "DATABASE_CONN_MAX_AGE": "60",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/13",
        "CACHE_URL": "redis://127.0.0.1:6379/12",
        "MEDIA_ROOT": str(workdir / "media"),
        "WARDEN_VAR_DIR": str(workdir / "var"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }


def seed() -> dict[str, str]:
    """Users, 50 models and one approved version (audited in this process); their tokens."""
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from config.celery import app
    from governance import decisions, services
    from tests.factories import PASSWORD, submitted_version_make, tiered_model_make, user_make

    call_command("migrate", verbosity=0)
    app.conf.task_always_eager = True  # the seed audit runs here; the load uses the workers
    erin = user_make("erin", "engineer", team="credit")
    rita, ada, pipeline = (
        user_make(name, role)
        for name, role in (("rita", "risk_officer"), ("ada", "auditor"), ("pipeline", "gate"))
    )
    version = submitted_version_make(erin, 3)
    decisions.decision_record(
        actor=rita, version=version, decision="approve", meaning="approval", password=PASSWORD
    )
    for index in range(49):
        tiered_model_make(erin, 3, slug=f"model-{index:02d}")
    app.conf.task_always_eager = False
    del services
    return {
        name: Token.objects.create(user=user).key
        for name, user in (("erin", erin), ("ada", ada), ("pipeline", pipeline))
    }


def engineers_uploading(token: str, stop: threading.Event, outcome: dict) -> None:
    """Upload a small evaluation set and start an audit of it, again and again, until stopped."""
    from tests.factories import classifier_csv

    csv = classifier_csv(rows=2000)
    base = f"{BASE}/api/models/credit-default/versions/1.0.0"
    mapping = json.dumps(
        {"label": "label", "prediction": "predicted", "score": "score", "sensitive": ["group"]}
    )
    while not stop.is_set():
        started = time.perf_counter()
        try:
            boundary = uuid.uuid4().hex
            body = (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="mapping"\r\n\r\n'
                    f'{mapping}\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                    f'filename="eval.csv"\r\nContent-Type: text/csv\r\n\r\n'
                ).encode()
                + csv
                + f"\r\n--{boundary}--\r\n".encode()
            )
            request = urllib.request.Request(
                f"{base}/evaluation-sets/",
                data=body,
                headers={
                    "Authorization": f"Token {token}",
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                },
            )
            created = json.load(urllib.request.urlopen(request, timeout=30))
            request = urllib.request.Request(
                f"{base}/audits/",
                data=json.dumps({"evaluation_set": created["id"]}).encode(),
                headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
            )
            run = json.load(urllib.request.urlopen(request, timeout=30))
            outcome["runs"].append(run["id"])
            outcome["latencies"].append(time.perf_counter() - started)
        except OSError as error:
            outcome["errors"].append(repr(error))
        stop.wait(0.3)


def audits_finished(run_ids: list[int], timeout: float) -> tuple[int, int]:
    from audits.models import AuditRun

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = list(AuditRun.objects.filter(pk__in=run_ids).values_list("status", flat=True))
        if all(state in ("completed", "errored") for state in states):
            break
        time.sleep(0.5)
    return states.count("completed"), len(run_ids) - states.count("completed")


def line(name: str, result: dict) -> str:
    meets = result["rps"] >= TARGET_RPS and result["p95"] < TARGET_P95_MS and not result["errors"]
    return (
        f"  {name:<30} {result['rps']:7.0f} req/s ({result['rps'] / TARGET_RPS:.2f}x target)  "
        f"p50 {result['p50']:6.1f} ms  p95 {result['p95']:6.1f} ms  p99 {result['p99']:6.1f} ms"
        f"  errors {result['errors']}  {'meets' if meets else 'MISSES'} the target"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--web-workers", type=int, help="default: config/gunicorn.py's")
    args = parser.parse_args()
    load_before = os.getloadavg()  # the machine is shared: say how busy it was
    if not shutil.which("wrk"):
        raise SystemExit("needs wrk: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="warden-load-"))
    env = environment(workdir)
    os.environ.update(env)
    recreate_database("warden_load")
    import django

    django.setup()
    tokens = seed()
    from config import gunicorn as gunicorn_settings

    web_workers = args.web_workers or gunicorn_settings.workers
    script = workdir / "report.lua"
    script.write_text(WRK_REPORT)
    processes = [
        gunicorn_start(env, workdir / "gunicorn.log", web_workers),
        *(worker_start(env, workdir / f"worker{i}.log", f"load{i}") for i in range(2)),
    ]
    try:
        wait_until_serving()
        wait_until_workers(2)
        gate_url = f"{BASE}/api/gate/?model=credit-default&version=1.0.0&environment=prod"
        pipeline, auditor = (f"Authorization: Token {tokens[name]}" for name in ("pipeline", "ada"))
        wrk(gate_url, pipeline, 3, args.connections, script)  # warm up
        print(
            f"load bench: gunicorn x{web_workers}, PostgreSQL, Redis, 2 Celery workers, "
            f"wrk {args.connections} connections, {args.duration} s a phase; load average "
            f"before the bench {' '.join(f'{load:.2f}' for load in load_before)}"
        )
        print(
            line(
                "gate",
                wrk(
                    gate_url,
                    pipeline,
                    args.duration,
                    args.connections,
                    script,
                ),
            )
        )
        print(
            line(
                "model list (50 models)",
                wrk(
                    f"{BASE}/api/models/",
                    auditor,
                    args.duration,
                    args.connections,
                    script,
                ),
            )
        )
        stop, outcome = threading.Event(), {"runs": [], "latencies": [], "errors": []}
        uploaders = [
            threading.Thread(target=engineers_uploading, args=(tokens["erin"], stop, outcome))
            for _ in range(2)
        ]
        for thread in uploaders:
            thread.start()
        mixed = wrk(
            gate_url,
            pipeline,
            args.duration,
            args.connections,
            script,
        )
        stop.set()
        for thread in uploaders:
            thread.join()
        print(line("gate while uploading+auditing", mixed))
        latencies = sorted(outcome["latencies"]) or [0.0]
        completed, failed = audits_finished(outcome["runs"], timeout=300)
        print(
            f"  uploads+audit requests: {len(outcome['runs'])} done, "
            f"p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
            f"errors {len(outcome['errors'])}; audits completed {completed}, not {failed}"
        )
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)


if __name__ == "__main__":
    main()

"""End-to-end benchmark (issue #21): from the first byte of an API upload to the stored verdict.

    .venv/bin/python bench/e2e_bench.py [--rows 1000000 10000000] [--workers 1]

Builds a throw-away database `warden_e2e` on 127.0.0.1:5432 and a media folder in a temp dir,
starts gunicorn on 127.0.0.1:8765 (config/gunicorn.py, as production runs it) and `--workers`
`celery worker --concurrency=1` processes on Redis db 11, registers a tier-3 model whose version
is an ONNX logistic regression trained on UCI Adult, and for each row count draws that many Adult
rows (seeded, with replacement) into Parquet, then over HTTP, as a pipeline would:

  upload   the first byte of the multipart POST until its last byte is sent (on loopback the
           socket buffers are small beside the file, so by then the server has read the body)
  intake   until the upload's 201: checks, formula scan and the Parquet copy the audits read
  queue    the audit POST until a worker claims the run (its started_at)
  plan     until the run's chunks are sent (integrity hashes, the run's spec, the chunk plan)
  chunks   until the last chunk's statistics are in (every row read and scored by the artifact)
  merge    until the first check is judged, plus every data check (merge, measure, judge)
  model    the model checks (they query the artifact on sampled rows)
  store    from the last check until the run is completed (contract check, document, event)

Stage ends on the workers are the times a poll of the run's telemetry (every 20 ms) first saw
them. It prints each stage's seconds and share, and the whole against the floor of reading the
same Parquet file once (`pq.read_table`, every column).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load_bench, serving  # noqa: E402
from bench.scoring_bench import MAPPING, adult, onnx_models, rows_file  # noqa: E402
from bench.timing import timed  # noqa: E402

DATABASE = "warden_e2e"
VERSION_PATH = "/api/models/e2e/versions/1.0.0"
POLL_SECONDS = 0.02
STAGES = ("upload", "intake", "queue", "plan", "chunks", "merge", "model", "store")


def environment(workdir: Path) -> dict[str, str]:
    """The load bench's production-like settings on a database, broker and cache of its own,
    with the upload caps and throttle raised to let 10M rows through."""
    return {
        **load_bench.environment(workdir),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/11",
        "CACHE_URL": "redis://127.0.0.1:6379/10",
        "WARDEN_MAX_UPLOAD_BYTES": str(8 * 1024**3),
        "WARDEN_MAX_PARQUET_EXPANDED_BYTES": str(16 * 1024**3),
        "WARDEN_THROTTLE_UPLOADS": "1000/hour",
    }


def seed(folder: Path) -> str:
    """An engineer, a tier-3 model and version 1.0.0 with the ONNX artifact; the engineer's
    token."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from governance import services
    from tests.factories import tiered_model_make, user_make

    call_command("migrate", verbosity=0)
    erin = user_make("erin", "engineer", team="credit")
    model = tiered_model_make(erin, 3, slug="e2e")
    artifact = onnx_models(adult().head(20_000), folder)["logistic regression"]
    services.version_create(
        actor=erin,
        model=model,
        version="1.0.0",
        artifact=SimpleUploadedFile("model.onnx", artifact.read_bytes()),
    )
    return Token.objects.create(user=erin).key


def upload(path: Path, token: str) -> tuple[float, float, float, dict]:
    """POST the file as an evaluation set, streamed from disk; (first byte, last byte, 201,
    the body)."""
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="mapping"\r\n\r\n'
        f"{json.dumps(MAPPING)}\r\n--{boundary}\r\nContent-Disposition: form-data; "
        f'name="file"; filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", serving.PORT, timeout=3600)
    connection.putrequest("POST", f"{VERSION_PATH}/evaluation-sets/")
    connection.putheader("Authorization", f"Token {token}")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + path.stat().st_size + len(tail)))
    connection.endheaders()
    first_byte = time.time()
    connection.send(head)
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            connection.send(block)
    connection.send(tail)
    sent = time.time()
    response = connection.getresponse()
    body = json.loads(response.read())
    answered = time.time()
    if response.status != 201:
        raise SystemExit(f"the upload was refused ({response.status}): {body}")
    return first_byte, sent, answered, body


def audit(set_id: int, token: str) -> tuple[float, int]:
    """Request the audit with the model checks; (when it was asked, the run's id)."""
    connection = http.client.HTTPConnection("127.0.0.1", serving.PORT, timeout=60)
    asked = time.time()
    connection.request(
        "POST",
        f"{VERSION_PATH}/audits/",
        body=json.dumps({"evaluation_set": set_id, "with_model": True}),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    response = connection.getresponse()
    body = json.loads(response.read())
    if response.status != 202:
        raise SystemExit(f"the audit was refused ({response.status}): {body}")
    return asked, body["id"]


def watch(run_id: int, timeout: float) -> dict:
    """Poll the run until it ends: when planning and the chunks ended, when each check was
    judged (in the order judged), the verdict and when it was stored."""
    from audits.models import AuditRun

    seen: dict = {"checks": []}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = AuditRun.objects.values("status", "progress", "verdict", "started_at").get(pk=run_id)
        now, stage = time.time(), run["progress"].get("stage")
        if run["started_at"]:
            seen.setdefault("claimed", run["started_at"].timestamp())
        if stage in ("statistics", "checks", "completed"):
            seen.setdefault("planned", now)
        if stage in ("checks", "completed"):
            seen.setdefault("chunked", now)
        judged = {check for check, _ in seen["checks"]}
        seen["checks"] += [
            (check, now) for check in run["progress"].get("checks", {}) if check not in judged
        ]
        if run["status"] not in ("queued", "running"):
            seen.update(status=run["status"], verdict=run["verdict"], stored=now)
            return seen
        time.sleep(POLL_SECONDS)
    raise SystemExit(f"run #{run_id} did not end within {timeout:.0f} s")


def stage_seconds(first_byte: float, sent: float, answered: float, asked: float,
                  seen: dict) -> dict[str, float]:  # fmt: skip
    """Each stage's seconds from the marks (see the module docstring)."""
    from audits.battery.checks import CHECKS
    from audits.battery.checks.base import ModelCheck

    stages = dict.fromkeys(STAGES, 0.0)
    stages["upload"] = sent - first_byte
    stages["intake"] = answered - sent
    stages["queue"] = seen["claimed"] - asked
    stages["plan"] = seen["planned"] - seen["claimed"]
    stages["chunks"] = seen["chunked"] - seen["planned"]
    previous = seen["chunked"]
    for check, judged in seen["checks"]:
        key = "model" if isinstance(CHECKS.get(check), ModelCheck) else "merge"
        stages[key] += judged - previous
        previous = judged
    stages["store"] = seen["stored"] - previous
    return stages


def measure(rows: int, token: str, workdir: Path) -> None:
    data = rows_file(adult(), rows, workdir / f"adult-{rows}.parquet")
    floor = timed(lambda: pq.read_table(data), 1)
    first_byte, sent, answered, created = upload(data, token)
    asked, run_id = audit(created["id"], token)
    seen = watch(run_id, timeout=max(600.0, rows / 2_000))
    stages = stage_seconds(first_byte, sent, answered, asked, seen)
    total = seen["stored"] - first_byte
    print(
        f"  {rows:,} rows ({data.stat().st_size / 2**20:.0f} MiB of Parquet): {total:.1f} s from "
        f"the first byte to the stored verdict ({seen['status']}, {seen['verdict']}); "
        f"{total / floor:.1f}x the floor of reading the file once ({floor:.2f} s)"
    )
    for stage in STAGES:
        print(f"    {stage:<7} {stages[stage]:7.2f} s  {stages[stage] / total:6.1%}")
    data.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    load_before = os.getloadavg()
    workdir = Path(tempfile.mkdtemp(prefix="warden-e2e-"))
    env = environment(workdir)
    os.environ.update(env)
    serving.recreate_database(DATABASE)
    import django

    django.setup()
    token = seed(workdir)
    processes = [serving.gunicorn_start(env, workdir / "gunicorn.log")] + [
        serving.worker_start(env, workdir / f"worker{i}.log", f"e2e{i}")
        for i in range(args.workers)
    ]
    try:
        serving.wait_until_serving()
        serving.wait_until_workers(args.workers)
        print(
            f"end-to-end bench: gunicorn, PostgreSQL, Redis, {args.workers} Celery worker(s), "
            f"an ONNX logistic regression on UCI Adult, tier 3; load average before "
            f"{' '.join(f'{load:.2f}' for load in load_before)}"
        )
        for rows in args.rows:
            measure(rows, token, workdir)
        print(f"  load average after {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)


if __name__ == "__main__":
    main()

"""Under gunicorn with several workers, `/metrics` counts every worker's requests (the
multiprocess folder config/gunicorn.py names), not the share of whichever worker answers."""

import os
import signal
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.config.test_gunicorn import answering, free_port
from tests.conftest import REPO_DIR
from tests.workers import database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
REQUESTS = 60
GUNICORN = str(REPO_DIR / ".venv" / "bin" / "gunicorn")


def healthz_count(port: int) -> float:
    """The scraped count of requests to /healthz."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
        text = response.read().decode()
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = sample.labels
            if sample.name == "warden_http_requests_total" and labels.get("view") == "healthz":
                total += sample.value
    return total


def test_every_workers_requests_are_counted(media_root, tmp_path):
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    (tmp_path / "var").mkdir()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "WARDEN_VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(media_root),
        "WEB_CONCURRENCY": "3",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    log = tmp_path / "gunicorn.log"
    process = subprocess.Popen(
        [GUNICORN, "-c", "config/gunicorn.py", "config.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=REPO_DIR,
        env=environment,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        answering(port, process, log)

        def ask(_: int) -> int:
            url = f"http://127.0.0.1:{port}/healthz"
            with urllib.request.urlopen(url, timeout=30) as response:
                return response.status

        # A worker answers /healthz in well under a millisecond, so one that is up may take
        # every request while the others still boot (seen in CI): ask in rounds until two
        # workers have answered, then check the scrape counts every request sent.
        sent, deadline = 0, time.monotonic() + 60
        with ThreadPoolExecutor(max_workers=6) as pool:
            while True:
                assert set(pool.map(ask, range(REQUESTS))) == {200}
                sent += REQUESTS
                writers = {p.name.rsplit("_", 1)[-1] for p in metrics_dir.glob("counter_*.db")}
                if len(writers) >= 2 or time.monotonic() > deadline:
                    break
        total = healthz_count(port)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        # A worker still booting when the signal comes has the master's handlers and ignores
        # it: the master then waits its graceful timeout (30 s) and kills it (seen in CI).
        process.wait(timeout=60)
    assert len(writers) >= 2, f"one worker answered everything: {writers}"  # the case that matters
    assert total == sent

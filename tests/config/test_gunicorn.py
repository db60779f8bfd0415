"""`make run`'s server (scripts/run-embedded: gunicorn with config/gunicorn.py, as production)
refuses an upload over the cap without reading it into memory."""

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

from tests.conftest import REPO_DIR
from tests.factories import mlmodel_make, version_make
from tests.workers import database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
MIB = 1024 * 1024
CAP = 8 * MIB
BODY = 512 * MIB


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def session_rss(session: int, name: str) -> int:
    """Resident bytes of every process in the session whose command line names `name`."""
    total = 0
    for proc in Path("/proc").iterdir():
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) != session or name not in (proc / "cmdline").read_text():
                continue
            status = (proc / "status").read_text()
        except (OSError, ValueError, IndexError):
            continue  # not a process, or it ended while we looked
        rss = [line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")]
        total += int(rss[0]) * 1024 if rss else 0
    return total


@pytest.fixture
def served(media_root, tmp_path):
    """scripts/run-embedded on a free port, on this test's database, with an 8 MiB upload cap."""
    port = free_port()
    (tmp_path / "var").mkdir()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(),
        "WARDEN_VAR_DIR": str(tmp_path / "var"),
        "MEDIA_ROOT": str(media_root),
        "STATIC_ROOT": str(tmp_path / "static"),
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "WARDEN_MAX_UPLOAD_BYTES": str(CAP),
    }
    log = (tmp_path / "run-embedded.log").open("wb")
    process = subprocess.Popen(
        [str(REPO_DIR / "scripts" / "run-embedded")],
        cwd=REPO_DIR,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        answering(port, process, tmp_path / "run-embedded.log")
        yield port, process.pid
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def answering(port: int, process: subprocess.Popen, log: Path) -> None:
    """Wait until the server answers HTTP (a 405 to a GET of the token endpoint)."""
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/auth/token/", timeout=5)
        except urllib.error.HTTPError:
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(log.read_text()) from None
            time.sleep(0.5)


def upload_too_large(port: int, token: str) -> bytes:
    """POST a BODY-byte multipart evaluation set, honestly declared, as fast as the server takes
    it; the server's answer (whatever of it arrived)."""
    head = (
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
    )
    request = (
        "POST /api/models/alpha/versions/1.0.0/evaluation-sets/ HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\nAuthorization: Token {token}\r\n"
        "Content-Type: multipart/form-data; boundary=B\r\n"
        f"Content-Length: {BODY}\r\n\r\n"
    ).encode() + head
    chunk = b"x," * (MIB // 2)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        try:
            sock.sendall(request)
            for _ in range((BODY - len(head)) // len(chunk)):
                sock.sendall(chunk)
        except OSError:
            pass  # the server stopped reading: refused
        try:
            return sock.recv(65536)
        except OSError:
            return b""


def test_a_too_large_upload_is_refused_without_the_server_growing_by_the_body(cast, served):
    port, session = served
    version_make(mlmodel_make(cast.erin, slug="alpha"), cast.erin)
    token = Token.objects.create(user=cast.erin).key
    before = session_rss(session, "gunicorn")
    peak = [before]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], session_rss(session, "gunicorn"))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        answer = upload_too_large(port, token)
    finally:
        done.set()
        sampler.join()
    assert answer.startswith(b"HTTP/1.1 413"), answer[:300]
    assert peak[0] - before < 64 * MIB, f"grew {(peak[0] - before) / MIB:.0f} MiB"

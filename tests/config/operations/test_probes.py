"""`/healthz` answers without dependencies; `/readyz` names the database, broker, cache and
storage with their status, and answers 503 naming the one that is down (stopped for real:
a private Redis killed mid-test, a database on a port nothing listens on)."""

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.conftest import REPO_DIR

pytestmark = pytest.mark.django_db
DEAD = "127.0.0.1:9"  # the discard port: nothing listens there on a test machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def private_redis(tmp_path) -> Iterator[tuple[subprocess.Popen, int]]:
    """A Redis server of this test's own, which the test may stop."""
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield process, port
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def use_redis_cache(settings, url: str) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FailSoftRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }


def readiness(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    return response.status_code, json.loads(response.content)


def test_healthz_says_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok"}


def test_readyz_names_every_dependency_up(client):
    status, body = readiness(client)
    assert status == 200
    assert body["status"] == "ready"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "broker": "ok",
        "cache": "ok",
        "storage": "ok",
    }


def test_readyz_leaves_no_probe_file_in_storage(client, media_root):
    readiness(client)
    assert not any(path.is_file() for path in media_root.rglob("*"))


def test_readyz_is_503_naming_the_broker_and_cache_once_their_redis_stops(
    client, settings, private_redis
):
    process, port = private_redis
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    use_redis_cache(settings, f"redis://127.0.0.1:{port}/1")
    status, body = readiness(client)
    assert (status, body["checks"]["broker"]["status"], body["checks"]["cache"]["status"]) == (
        200,
        "ok",
        "ok",
    )
    process.kill()
    process.wait(timeout=10)
    status, body = readiness(client)
    assert status == 503
    assert body["status"] == "unready"
    assert body["checks"]["broker"]["status"] == "down"
    assert body["checks"]["cache"]["status"] == "down"
    assert body["checks"]["database"]["status"] == "ok"


def test_readyz_names_the_error_kind_but_not_the_host(client, settings):
    settings.CELERY_BROKER_URL = f"redis://{DEAD}/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    status, body = readiness(client)
    assert status == 503
    assert body["checks"]["broker"]["error"]
    assert "127.0.0.1" not in json.dumps(body)


def test_readyz_is_503_naming_the_storage_when_it_cannot_be_written(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = blocker
    status, body = readiness(client)
    assert status == 503
    assert body["checks"]["storage"]["status"] == "down"
    assert body["checks"]["broker"]["status"] == "ok"


def test_readyz_is_503_naming_the_database_when_it_does_not_answer(tmp_path):
    """In a process of its own: its database is a PostgreSQL on a port nothing listens on."""
    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "r = Client(HTTP_HOST='localhost').get('/readyz')\n"
        "print(json.dumps({'status': r.status_code, 'body': json.loads(r.content)}))\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_test",
        "DATABASE_URL": f"postgres://warden@{DEAD}/warden",
        "WARDEN_VAR_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PYTHONPATH": str(REPO_DIR),
    }
    answer = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(answer.stdout.strip().splitlines()[-1])
    assert result["status"] == 503
    assert result["body"]["checks"]["database"]["status"] == "down"
    assert result["body"]["checks"]["storage"]["status"] == "ok"

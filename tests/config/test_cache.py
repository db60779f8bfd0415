"""A Redis cache that is down or goes away costs nothing but speed: token authentication, the
gate, lists and the throttled token endpoint answer as they do with the cache up."""

import runpy
import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import cache

from governance.api.authentication import token_cache_key
from tests.conftest import REPO_DIR
from tests.factories import PASSWORD, mlmodel_make, version_make

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cache_at(settings, monkeypatch, tmp_path):
    """Point the cache at a Redis URL exactly as config/settings.py does for CACHE_URL, with
    the token cache on (so every authenticated request reads and writes it)."""

    def point(url: str) -> None:
        monkeypatch.setenv("CACHE_URL", url)
        monkeypatch.setenv("WARDEN_VAR_DIR", str(tmp_path))
        settings.CACHES = runpy.run_path(str(REPO_DIR / "config" / "settings.py"))["CACHES"]
        settings.WARDEN_TOKEN_CACHE_SECONDS = 60

    return point


@pytest.fixture
def cache_down(cache_at):
    """The cache is a Redis URL on a port where nothing listens."""
    cache_at(f"redis://127.0.0.1:{free_port()}/0")


def test_token_authentication_and_lists_answer_when_the_cache_is_down(cast, api, cache_down):
    mlmodel_make(cast.erin, slug="alpha")
    response = api.as_user(cast.erin).get("/api/models/")
    assert response.status_code == 200
    assert [row["slug"] for row in response.data["results"]] == ["alpha"]


def test_the_gate_answers_when_the_cache_is_down(cast, api, cache_down):
    version_make(mlmodel_make(cast.erin, slug="alpha"), cast.erin)
    response = api.as_user(cast.erin).get(
        "/api/gate/", {"model": "alpha", "version": "1.0.0", "environment": "production"}
    )
    assert response.status_code == 200
    assert response.data["allowed"] is False
    assert response.data["reasons"] == ["not approved: the version is draft"]


def test_the_throttled_token_endpoint_answers_when_the_cache_is_down(cast, api, cache_down):
    response = api.post("/api/auth/token/", {"username": "erin", "password": PASSWORD})
    assert response.status_code == 200
    assert response.data["token"]


def test_a_bad_token_is_still_refused_when_the_cache_is_down(cast, api, cache_down):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get("/api/models/").status_code == 401


@pytest.mark.redis
def test_requests_carry_on_when_redis_stops_mid_test(cast, api, cache_at, tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server installed")
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        cache_at(f"redis://127.0.0.1:{port}/0")
        client = api.as_user(cast.erin)
        assert client.get("/api/models/").status_code == 200
        assert cache.get(token_cache_key(cast.erin.auth_token.key)) is not None  # Redis had it
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert client.get("/api/models/").status_code == 200
    assert client.get("/api/revalidations/").status_code == 200

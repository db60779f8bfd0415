"""A real S3 server on loopback for the object-storage tests: moto's standalone server (the S3
HTTP API) on a free port, in a thread of the test process so worker processes reach it too,
counting the bytes it sends, with a fresh bucket per test."""

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

ACCESS_KEY, SECRET_KEY, REGION = "warden-test", "warden-test-secret", "us-east-1"


@dataclass
class SentBytes:
    """Bytes of object bodies the server has sent (GET responses), counted as they stream."""

    total: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, count: int) -> None:
        with self.lock:
            self.total += count


def _counting(app, sent: SentBytes):
    def counted(environ, start_response):
        body = app(environ, start_response)
        return _tallied(body, sent) if environ["REQUEST_METHOD"] == "GET" else body

    return counted


def _tallied(body, sent: SentBytes):
    for piece in body:
        sent.add(len(piece))
        yield piece


@dataclass
class ObjectStoreServer:
    """The running server: its endpoint, a bucket of this test's and a boto3 client on it."""

    endpoint_url: str
    bucket: str
    sent: SentBytes
    client: object

    def keys(self) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket)  # type: ignore[attr-defined]
        return sorted(o["Key"] for page in pages for o in page.get("Contents", []))

    def environment(self) -> dict[str, str]:
        """The WARDEN_S3_* variables a Warden process (a worker) is given to use this bucket."""
        return {
            "WARDEN_S3_BUCKET": self.bucket,
            "WARDEN_S3_ENDPOINT_URL": self.endpoint_url,
            "WARDEN_S3_REGION": REGION,
            "WARDEN_S3_ACCESS_KEY": ACCESS_KEY,
            "WARDEN_S3_SECRET_KEY": SECRET_KEY,
        }

    def storages(self) -> dict:
        """STORAGES as config/settings.py builds it from those variables."""
        return {
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": self.bucket,
                    "endpoint_url": self.endpoint_url,
                    "region_name": REGION,
                    "access_key": ACCESS_KEY,
                    "secret_key": SECRET_KEY,
                    "file_overwrite": False,
                    "querystring_auth": True,
                },
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }


@contextmanager
def serve() -> Iterator[tuple[str, SentBytes]]:
    """moto's S3 server on 127.0.0.1, a free port, while the block runs: its URL and counter.
    (moto and boto3 are imported here, so test sessions that use neither do not pay for them.)"""
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import WSGIRequestHandler, make_server

    class _Quiet(WSGIRequestHandler):
        def log_request(self, *args, **kwargs) -> None:
            """No line per request: a set read in chunks makes hundreds."""

    sent = SentBytes()
    app = _counting(DomainDispatcherApplication(create_backend_app), sent)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", sent
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[tuple[str, SentBytes]]:
    """The server for the whole test session (each test makes its own bucket)."""
    with serve() as running:
        yield running


@pytest.fixture
def object_store(s3_server, monkeypatch) -> ObjectStoreServer:
    """A new empty bucket on the server; the battery's command-line store (WARDEN_S3_*) is it."""
    import boto3

    endpoint_url, sent = s3_server
    client = boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    bucket = f"warden-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    store = ObjectStoreServer(endpoint_url, bucket, sent, client)
    for name, value in store.environment().items():
        monkeypatch.setenv(name, value)
    return store


@pytest.fixture(params=["disk", "bucket"])
def either_storage(request, settings) -> str:
    """The test runs twice: with files in the media folder, and with every file in a bucket of
    the S3 server (request this before fixtures that store files)."""
    if request.param == "bucket":
        settings.STORAGES = request.getfixturevalue("object_store").storages()
    return request.param

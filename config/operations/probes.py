"""Readiness probes of the services Warden needs: the database, the broker, the cache and the
storage. Each either returns or raises ProbeFailed naming what went wrong, within a few seconds."""

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from kombu import Connection
from kombu.exceptions import ChannelError

logger = logging.getLogger(__name__)
PROBE_DIR = "readiness"


class ProbeFailed(Exception):
    """A service did not answer as it should; the message says how (it is logged, not shown)."""


@dataclass(frozen=True)
class ProbeResult:
    """One service's answer: whether it is up, how long it took, and what failed (the
    exception's class only: the details, which may name hosts, go to the log)."""

    name: str
    ok: bool
    milliseconds: float
    error: str = ""

    def to_json(self) -> dict[str, object]:
        answer: dict[str, object] = {
            "status": "ok" if self.ok else "down",
            "ms": round(self.milliseconds, 1),
        }
        if self.error:
            answer["error"] = self.error
        return answer


def broker_connection() -> Connection:
    """A connection to the configured broker that gives up after the connection timeout."""
    return Connection(
        settings.CELERY_BROKER_URL,
        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        connect_timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT,
    )


def broker_queue_depth(queue: str) -> int:
    """Messages waiting in `queue` (0 when the broker has never seen it)."""
    try:
        with broker_connection() as connection:
            connection.ensure_connection(
                max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT
            )
            try:
                return connection.default_channel.queue_declare(
                    queue=queue, passive=True
                ).message_count
            except ChannelError:  # a queue nothing was ever sent to
                return 0
    except Exception as error:  # any transport's failure is "down"
        raise ProbeFailed(f"{type(error).__name__}: {error}") from error


def database_probe() -> None:
    """Every configured database answers a query."""
    for alias in connections:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()


def broker_probe() -> None:
    broker_queue_depth(settings.CELERY_TASK_DEFAULT_QUEUE)


def cache_probe() -> None:
    """Redis answers a PING (the cache itself fails soft, so a write would not tell); a
    per-process cache is always up."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        if not client.ping():
            raise ProbeFailed("no PONG")
        return
    cache.set("readiness-probe", "ok", 5)


def storage_probe() -> None:
    """The default storage takes a small file, gives it back and deletes it."""
    name = default_storage.save(f"{PROBE_DIR}/{uuid.uuid4().hex}", ContentFile(b"ok"))
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != b"ok":
                raise ProbeFailed("read back other bytes than were written")
    finally:
        default_storage.delete(name)


# Each readiness dependency and its probe; a new one is one line here.
PROBES: dict[str, Callable[[], None]] = {
    "database": database_probe,
    "broker": broker_probe,
    "cache": cache_probe,
    "storage": storage_probe,
}


def probe(name: str) -> ProbeResult:
    started = time.perf_counter()
    try:
        PROBES[name]()
    except Exception as error:  # any failure makes us unready
        logger.warning("readiness: %s is down (%s: %s)", name, type(error).__name__, error)
        return ProbeResult(
            name, False, (time.perf_counter() - started) * 1000, type(error).__name__
        )
    return ProbeResult(name, True, (time.perf_counter() - started) * 1000)


def readiness() -> list[ProbeResult]:
    """Every dependency's answer, in PROBES order."""
    return [probe(name) for name in PROBES]

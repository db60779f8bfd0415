"""The shared cache, failing soft: when Redis does not answer, a read is a miss and a write is
skipped, so every caller (token cache, throttles) falls back to the database or to no limit
instead of turning the request into a 500."""

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
# One warning per process per this many seconds, so a Redis outage does not flood the log.
WARNING_INTERVAL_SECONDS = 60.0
_last_warning = [float("-inf")]


def _warn(operation: str, exc: RedisError) -> None:
    now = time.monotonic()
    if now - _last_warning[0] >= WARNING_INTERVAL_SECONDS:
        _last_warning[0] = now
        logger.warning("cache unavailable (%s: %s); carrying on without it", operation, exc)


def _fail_soft(method: Callable[..., Any], fallback: Callable[..., Any]) -> Callable[..., Any]:
    """`method`, answering `fallback(*args, **kwargs)` when Redis raises."""

    @functools.wraps(method)
    def soft(self: RedisCache, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except RedisError as exc:
            _warn(method.__name__, exc)
            return fallback(*args, **kwargs)

    return soft


def _default(key: str, default: Any = None, version: Any = None) -> Any:
    return default


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


def _empty(*args: Any, **kwargs: Any) -> dict:
    return {}


class FailSoftRedisCache(RedisCache):
    """Django's Redis cache whose every operation survives Redis being down (see module)."""

    get = _fail_soft(RedisCache.get, _default)
    get_many = _fail_soft(RedisCache.get_many, _empty)
    has_key = _fail_soft(RedisCache.has_key, _false)
    add = _fail_soft(RedisCache.add, _false)
    set = _fail_soft(RedisCache.set, _nothing)
    set_many = _fail_soft(RedisCache.set_many, lambda data, *args, **kwargs: list(data))
    touch = _fail_soft(RedisCache.touch, _false)
    delete = _fail_soft(RedisCache.delete, _false)
    delete_many = _fail_soft(RedisCache.delete_many, _nothing)
    clear = _fail_soft(RedisCache.clear, _false)

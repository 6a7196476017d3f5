"""The portal's cache: Django's Redis cache that degrades to "nothing cached" while Redis is down.

Pages keep working without Redis (a submit is saved and shown as queued; the reconciler sends
it once Redis is back): a read that fails is a miss, a write that fails is skipped, each logged.
Code that must tell "missing" from "Redis is down" (the session idle clock) uses the `strict`
alias, which raises as Django's own backend does.
"""

from __future__ import annotations

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


def _tolerant(name: str, on_failure):
    def method(self, *args, **kwargs):
        try:
            return getattr(super(TolerantRedisCache, self), name)(*args, **kwargs)
        except UNAVAILABLE as exc:
            logger.warning("cache %s skipped, Redis is unavailable: %s", name, exc)
            return on_failure(*args, **kwargs)

    method.__name__ = name
    return method


def _default(key, default=None, *args, **kwargs):
    return default


def _missing(*args, **kwargs):
    raise ValueError("Redis is unavailable: the key is treated as missing")


class TolerantRedisCache(RedisCache):
    get = _tolerant("get", _default)
    get_many = _tolerant("get_many", lambda *a, **k: {})
    has_key = _tolerant("has_key", lambda *a, **k: False)
    add = _tolerant("add", lambda *a, **k: False)
    set = _tolerant("set", lambda *a, **k: None)
    set_many = _tolerant("set_many", lambda *a, **k: [])
    touch = _tolerant("touch", lambda *a, **k: False)
    delete = _tolerant("delete", lambda *a, **k: False)
    delete_many = _tolerant("delete_many", lambda *a, **k: None)
    incr = _tolerant("incr", _missing)

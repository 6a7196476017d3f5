"""One rate limit per Gandi API key, shared by every process through Redis.

A sliding-window log in a Redis sorted set, checked and updated by one Lua script, so two
workers on two machines can never both take the last slot. The script reads Redis's own
clock (TIME): workers on machines with skewed clocks still agree on the window.

The Redis key holds `sha256(api_key)[:16]`, never the key.
"""

from __future__ import annotations

import hashlib
import logging
import math
import random
import threading
import time
import uuid

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from .errors import RateLimitedError

logger = logging.getLogger(__name__)

# KEYS[1]: the window of every call of the key; KEYS[2]: the window of its background calls.
# ARGV: limit, window (ms), a unique member for this call, the background limit (0 for a
# foreground call: only KEYS[1] counts), the spacing (ms, 0 for none): the least time between
# two calls of the key once the window holds `burst` (ARGV[6]) calls. A background call needs
# room in both windows.
# Returns {wait, now}: wait is 0 when a slot was taken, else the milliseconds until the oldest
# call in the full window leaves it; now is Redis's clock in milliseconds.
_SLIDING_WINDOW = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local background = tonumber(ARGV[4])
local wait = 0
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = tonumber(oldest[2]) + window - now
end
local spacing = tonumber(ARGV[5])
if spacing > 0 and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[6]) then
  local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if newest[2] then
    wait = math.max(wait, tonumber(newest[2]) + spacing - now)
  end
end
if background > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
  if redis.call('ZCARD', KEYS[2]) >= background then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + window - now)
  end
end
if wait > 0 then
  if wait < 1 then wait = 1 end
  return {wait, now}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
if background > 0 then
  redis.call('ZADD', KEYS[2], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[2], window)
end
return {0, now}
"""

KEY_PREFIX = "gandi:ratelimit:"


def key_id(api_key: str) -> str:
    """The name a key goes by in Redis and logs: a short hash, never the key itself."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()
# After Redis fails, calls go unthrottled for this long before Redis is tried again, so an
# outage costs one slow attempt per process, not one per Gandi call.
REDIS_COOL_OFF = 10.0
_redis_down_until = 0.0


def limiter_redis(url: str) -> redis.Redis:
    """A Redis client for the limiter: short timeouts and one quick retry, since every Gandi
    call waits on it (redis-py's default retries back off for seconds)."""
    return redis.Redis.from_url(
        url,
        socket_timeout=1.0,
        socket_connect_timeout=1.0,
        retry=Retry(NoBackoff(), 1),
    )


def shared_redis(url: str | None = None) -> redis.Redis:
    """One pooled Redis client per process and URL (redis-py resets its pool after a fork)."""
    if url is None:
        from django.conf import settings

        url = settings.REDIS_URL
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            client = limiter_redis(url)
            _clients[url] = client
        return client


def portal_limit(gandi_calls: int, margin: float) -> int:
    """The calls per period the portal allows itself: a margin below Gandi's figure, so the
    jitter between a slot granted here and the call reaching Gandi draws no refusal."""
    return max(1, math.floor(gandi_calls * margin))


def background_limit(calls: int, share: float) -> int:
    """The calls per period background work (sync details, rolling refresh) may use."""
    return max(1, math.floor(calls * share))


class RateLimiter:
    """At most `calls` Gandi calls per `period` seconds for one API key, across all processes.

    With `spacing` (seconds), once the window holds `burst` calls the next ones are granted
    at least `spacing` apart: no full-window burst, so calls held up between their slot and
    Gandi (a busy machine) cannot land in one Gandi window with a burst granted a window later.

    A limiter made with `background` (calls per period) is for work nobody waits for: its
    calls count against the key's limit like any other, and also against a second window
    that holds them to `background`, so the rest of the limit stays free for people."""

    def __init__(
        self,
        redis_client: redis.Redis,
        name: str,
        *,
        calls: int,
        period: float,
        max_wait: float = 30.0,
        background: int | None = None,
        spacing: float = 0.0,
        burst: int | None = None,
    ) -> None:
        if calls < 1 or period <= 0:
            raise ValueError("a rate limit needs calls >= 1 and period > 0")
        if background is not None and not 1 <= background <= calls:
            raise ValueError("a background share needs 1 <= background <= calls")
        self.redis = redis_client
        self.name = name
        self.calls = calls
        self.period = period
        self.max_wait = max_wait
        self.background = background
        self.spacing = spacing
        self.burst = calls if burst is None else burst
        self._script = redis_client.register_script(_SLIDING_WINDOW)
        # When Redis granted the last slot, by Redis's clock (epoch seconds): the clock the
        # window is kept in, so checks of the limit need no allowance for process scheduling.
        self.last_granted_at: float | None = None

    @classmethod
    def for_api_key(
        cls,
        api_key: str,
        *,
        calls: int,
        period: float,
        max_wait: float = 30.0,
        redis_client: redis.Redis | None = None,
        background: int | None = None,
        spacing: float = 0.0,
        burst: int | None = None,
    ) -> RateLimiter:
        return cls(
            redis_client or shared_redis(),
            key_id(api_key),
            calls=calls,
            period=period,
            max_wait=max_wait,
            background=background,
            spacing=spacing,
            burst=burst,
        )

    def __repr__(self) -> str:
        share = f" background {self.background}" if self.background else ""
        return f"<RateLimiter {self.name} {self.calls}/{self.period}s{share}>"

    @property
    def redis_key(self) -> str:
        return KEY_PREFIX + self.name

    @property
    def background_key(self) -> str:
        return KEY_PREFIX + self.name + ":background"

    def try_acquire(self) -> float:
        """Take a slot if one is free: 0.0, else the seconds until one may be."""
        global _redis_down_until
        if time.monotonic() < _redis_down_until:
            return 0.0
        try:
            wait_ms, now_ms = self._script(
                keys=[self.redis_key, self.background_key],
                args=[
                    self.calls,
                    int(self.period * 1000),
                    uuid.uuid4().hex,
                    self.background or 0,
                    int(self.spacing * 1000),
                    self.burst,
                ],
            )
        except redis.RedisError as exc:
            # Fail open: Gandi enforces its own limit (fault 150004, which the client retries),
            # and a Redis outage must not stop every read and every poll.
            _redis_down_until = time.monotonic() + REDIS_COOL_OFF
            logger.warning(
                "Gandi rate limiter for key %s: Redis unavailable (%s); calls not throttled "
                "for the next %g s",
                self.name,
                type(exc).__name__,
                REDIS_COOL_OFF,
            )
            return 0.0
        if not wait_ms:
            self.last_granted_at = int(now_ms) / 1000.0
        return int(wait_ms) / 1000.0

    def acquire(self, max_wait: float | None = None) -> float:
        """Block until a slot is free; return the seconds waited.

        Raises RateLimitedError rather than wait longer than `max_wait` seconds."""
        budget = self.max_wait if max_wait is None else max_wait
        started = time.monotonic()
        while True:
            wait = self.try_acquire()
            if wait <= 0:
                return time.monotonic() - started
            waited = time.monotonic() - started
            if waited + wait > budget:
                raise RateLimitedError(
                    "Too many requests to Gandi for this account right now "
                    f"(the portal allows {self.calls} every {self.period:g} s). "
                    "Please try again in a moment.",
                    detail=f"local rate limiter {self.name}: would wait {waited + wait:.1f}s "
                    f"> {budget:.1f}s",
                )
            # A little jitter so processes woken together do not race for the same slot.
            # A paced limiter keeps it small: a sleep past the next slot is throughput lost.
            jitter = min(0.05, self.period / 20, self.spacing / 4 if self.spacing else 1.0)
            time.sleep(wait + random.uniform(0, jitter))

    def reset(self) -> None:
        """Forget the calls in the window (tests, or an operator after changing the limit)."""
        self.redis.delete(self.redis_key, self.background_key)

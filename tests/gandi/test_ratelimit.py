"""The per-key rate limiter on real Redis, alone and shared by several real processes."""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from sites_app.gandi import errors, ratelimit
from sites_app.gandi.client import client_for
from sites_app.gandi.ratelimit import KEY_PREFIX, RateLimiter, key_id, shared_redis

from .endpoint import closed_port_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


def limiter_for(key: str, redis_client: redis.Redis, **options) -> RateLimiter:
    options.setdefault("calls", 5)
    options.setdefault("period", 0.5)
    limiter = RateLimiter.for_api_key(key, redis_client=redis_client, **options)
    limiter.reset()
    return limiter


def test_it_lets_the_limit_through_at_once_then_waits_for_the_window(redis_client):
    limiter = limiter_for("K" * 23 + "1", redis_client, calls=5, period=0.5)

    started = time.monotonic()
    waits = [limiter.acquire() for _ in range(6)]

    assert all(wait < 0.05 for wait in waits[:5])
    assert 0.35 < waits[5] < 0.8
    assert time.monotonic() - started >= 0.4


def test_it_refuses_rather_than_wait_longer_than_allowed(redis_client):
    limiter = limiter_for("K" * 23 + "2", redis_client, calls=1, period=30, max_wait=0.2)
    limiter.acquire()

    started = time.monotonic()
    with pytest.raises(errors.RateLimitedError) as refused:
        limiter.acquire()

    assert time.monotonic() - started < 0.1  # it knows at once that the wait is too long
    assert "the portal allows 1 every 30 s" in refused.value.message


def test_keys_have_separate_limits(redis_client):
    first = limiter_for("K" * 23 + "3", redis_client, calls=1, period=30)
    second = limiter_for("K" * 23 + "4", redis_client, calls=1, period=30)

    assert first.acquire() < 0.05
    assert second.acquire() < 0.05


def test_redis_holds_a_hash_of_the_key_never_the_key(redis_client):
    key = "SeCrEtKeY0123456789aRate"
    limiter_for(key, redis_client).acquire()

    names = [name.decode() for name in redis_client.keys("*")]
    expected = KEY_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:16]
    assert expected in names
    assert not any(key in name for name in names)
    assert key not in repr(limiter_for(key, redis_client))
    assert key_id(key) == expected.removeprefix(KEY_PREFIX)


def test_without_redis_it_lets_calls_through_quickly_and_warns_once(caplog, monkeypatch):
    monkeypatch.setattr(ratelimit, "_redis_down_until", 0.0)
    dead = ratelimit.limiter_redis(closed_port_url().replace("http", "redis"))
    limiter = RateLimiter.for_api_key("K" * 23 + "5", calls=1, period=30, redis_client=dead)
    caplog.set_level(logging.WARNING)

    started = time.monotonic()
    waits = [limiter.acquire() for _ in range(5)]

    assert all(wait < 0.1 for wait in waits)
    assert time.monotonic() - started < 1.0
    assert caplog.text.count("Redis unavailable") == 1


def test_the_portal_factory_uses_the_settings_and_one_redis_client(settings):
    settings.GANDI_RATE_LIMIT_CALLS = 7
    settings.GANDI_RATE_LIMIT_MARGIN = 1.0  # Gandi's figure as is
    settings.GANDI_RATE_LIMIT_PERIOD = 3.0
    settings.GANDI_TIMEOUT = 9.0

    client = client_for("http://127.0.0.1:9/xmlrpc/", "K" * 23 + "6")
    other = client_for("http://127.0.0.1:9/xmlrpc/", "K" * 23 + "7", timeout=1.5)

    assert client.timeout == 9.0 and other.timeout == 1.5
    assert (client.rate_limiter.calls, client.rate_limiter.period) == (7, 3.0)
    assert client.rate_limiter.redis is other.rate_limiter.redis is shared_redis()
    assert other.rate_limiter.max_wait == 3.0  # at least one window, even for a short call


def _hammer(processes: int, key: str, *, times: int, calls: int, period: float, **extra) -> list:
    start_at = time.time() + 1.5  # every process imported and ready before the race
    command = [
        sys.executable, "-m", "tests.gandi.hammer",
        "--redis", settings.REDIS_URL, "--key", key, "--times", str(times),
        "--calls", str(calls), "--period", str(period), "--start-at", str(start_at),
    ]  # fmt: skip
    for flag, value in extra.items():
        command += [f"--{flag.replace('_', '-')}"] + ([] if value is True else [str(value)])
    running = [
        subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    results = []
    for process in running:
        out, _ = process.communicate(timeout=60)
        assert process.returncode == 0
        results.append(json.loads(out))
    return results


def _busiest_window(times: list[float], period: float) -> int:
    """The most grants in any window of `period` seconds (Redis's clock, millisecond steps)."""
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < start + period) for i, start in enumerate(times))


def test_processes_sharing_a_key_never_exceed_the_limit_together(redis_client):
    key = "HammeredKey0123456789abc"
    limiter_for(key, redis_client).reset()

    results = _hammer(4, key, times=12, calls=8, period=0.5)

    granted = [t for result in results for t in result["granted"]]
    assert len(granted) == 48
    assert _busiest_window(granted, 0.5) <= 8
    assert max(granted) - min(granted) >= (48 / 8 - 1) * 0.5


def test_processes_calling_gandi_stay_under_gandis_own_limit(simulator, redis_client):
    key = simulator.add_account()
    limiter_for(key, redis_client).reset()
    # The simulator refuses (150004) an 11th call within 0.7 s; the limiter allows 10 per 1 s,
    # which leaves 0.3 s for a call to travel from its grant to the simulator on a busy machine.
    simulator.set_faults(rate_limit="10/0.7")

    results = _hammer(4, key, times=10, calls=10, period=1.0, url=simulator.url)

    assert [result["failures"] for result in results] == [{}] * 4
    assert simulator.calls()["site.count"] == 40
    granted = [t for result in results for t in result["granted"]]
    assert _busiest_window(granted, 1.0) <= 10


def test_without_the_shared_limiter_the_same_processes_are_refused(simulator):
    key = simulator.add_account()
    simulator.set_faults(rate_limit="10/0.7")

    results = _hammer(4, key, times=10, calls=10, period=1.0, url=simulator.url, no_limiter=True)

    refused = sum(result["failures"].get("RateLimitedError", 0) for result in results)
    assert refused >= 20  # the check above is not vacuous: the simulator does enforce it

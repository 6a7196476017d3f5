"""Background work (sync details, rolling refresh) holds to its share of a key's rate limit,
so people's own calls always find room; and the portal keeps a margin below Gandi's figure."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings

from sites_app.gandi.client import client_for
from sites_app.gandi.ratelimit import RateLimiter

KEY = "B" * 23 + "1"


@pytest.fixture
def limiters():
    connection = redis.Redis.from_url(settings.REDIS_URL)

    def make(**options) -> RateLimiter:
        # A long window: nothing leaves it while the test runs, so no timing is involved.
        return RateLimiter.for_api_key(
            KEY, calls=10, period=60, max_wait=0.1, redis_client=connection, **options
        )

    foreground, background = make(), make(background=5)
    foreground.reset()
    yield foreground, background
    foreground.reset()


def test_background_calls_stop_at_their_share_and_people_still_get_through(limiters):
    foreground, background = limiters

    assert [background.try_acquire() for _ in range(5)] == [0.0] * 5
    assert background.try_acquire() > 0  # its share of the window is used up

    assert [foreground.try_acquire() for _ in range(5)] == [0.0] * 5  # the other half is free
    assert foreground.try_acquire() > 0  # and the key's limit still holds for everyone


def test_background_calls_also_count_against_the_whole_limit(limiters):
    foreground, background = limiters
    for _ in range(8):
        assert foreground.try_acquire() == 0.0

    assert [background.try_acquire() for _ in range(3)][:2] == [0.0, 0.0]
    assert background.try_acquire() > 0  # 8 + 2 = the limit of 10


def test_the_portal_stays_below_gandis_figure_and_background_gets_half(settings):
    settings.GANDI_RATE_LIMIT_CALLS = 30
    settings.GANDI_RATE_LIMIT_MARGIN = 0.9
    settings.GANDI_BACKGROUND_SHARE = 0.5

    people = client_for("http://127.0.0.1:9/xmlrpc/", KEY)
    sync = client_for("http://127.0.0.1:9/xmlrpc/", KEY, background=True)

    assert (people.rate_limiter.calls, people.rate_limiter.background) == (27, None)
    assert (sync.rate_limiter.calls, sync.rate_limiter.background) == (27, 13)
    assert people.rate_limiter.redis_key == sync.rate_limiter.redis_key  # one shared window


def test_past_half_the_window_calls_are_paced_not_granted_in_a_burst(limiters):
    foreground, _ = limiters
    paced = RateLimiter.for_api_key(
        KEY, calls=10, period=60, redis_client=foreground.redis, spacing=6.0, burst=5
    )

    assert [paced.try_acquire() for _ in range(5)] == [0.0] * 5  # half the limit at once
    assert 0 < paced.try_acquire() <= 6.0  # then one call per period/calls


def test_the_portal_paces_its_calls_past_half_the_limit(settings):
    settings.GANDI_RATE_LIMIT_CALLS = 30
    settings.GANDI_RATE_LIMIT_MARGIN = 0.9
    settings.GANDI_RATE_LIMIT_PERIOD = 2.0

    limiter = client_for("http://127.0.0.1:9/xmlrpc/", KEY).rate_limiter

    assert (limiter.burst, round(limiter.spacing, 3)) == (13, 0.074)

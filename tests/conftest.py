import pytest

pytest_plugins = [
    "tests.fixtures.personas",
    "tests.fixtures.celery_worker",
    "tests.fixtures.simulator",
    "tests.fixtures.tls",
]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so fixtures can tell at teardown that it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the shared Redis cache and outlive a test's database: drop
    them (allauth's and django-ratelimit's) so one test's sign-ups or mails never count
    against the next one's."""
    yield
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)
    mine = cache.make_key("")  # this process's prefix: xdist workers share one Redis
    for pattern in ("allauth:rl:*", "rl:*", "lockout-audited:*"):
        keys = list(client.scan_iter(match=f"{mine}{pattern}", count=1000))
        if keys:
            client.delete(*keys)

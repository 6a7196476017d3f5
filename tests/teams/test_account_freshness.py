"""The "last successful check" of a Gandi account follows the real calls the workers make with it
(issue 10, item 8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.lifecycle.conftest import make_account

pytestmark = pytest.mark.usefixtures("loopback_http")


def updates_of_accounts(queries) -> int:
    sql = [q["sql"] for q in queries]
    return sum(1 for s in sql if s.startswith("UPDATE") and "sites_app_gandiaccount" in s)


def test_the_last_successful_check_follows_the_workers_calls(team, alice, simulator, db):
    account = make_account(team, simulator)
    assert account.last_success_at is None  # "never", as the demo account said
    client = account.client()  # a worker's client
    with CaptureQueriesContext(connection) as first:
        client.site_count()
    account.refresh_from_db()
    assert account.last_success_at is not None
    assert timezone.now() - account.last_success_at < timedelta(minutes=1)
    written = account.last_success_at
    with CaptureQueriesContext(connection) as more:
        for _ in range(5):
            client.site_count()
    account.client().site_count()  # another worker's client within the minute
    account.refresh_from_db()
    assert updates_of_accounts(first.captured_queries) == 1
    assert updates_of_accounts(more.captured_queries) == 0  # the same client: no query at all
    assert account.last_success_at == written  # nor another write within the minute


def test_a_pages_own_reads_write_nothing(team, alice, simulator, db):
    account = make_account(team, simulator)
    with CaptureQueriesContext(connection) as queries:
        account.client(for_request=True).site_count()
    assert updates_of_accounts(queries.captured_queries) == 0
    account.refresh_from_db()
    assert account.last_success_at is None

"""Plain words about accounts (issue 10, item 8): a new account's sites are imported at once,
and "Last successful check" follows the real calls the workers make with the account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sites_app.models import GandiAccount
from tests.lifecycle.conftest import enqueued, make_account  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("loopback_http")


def test_adding_an_account_imports_its_sites_at_once(
    alice,
    client_for,
    simulator,
    enqueued,
    django_capture_on_commit_callbacks,  # noqa: F811
):
    key = simulator.add_account()
    data = {"name": "Main", "endpoint": "custom", "custom_url": simulator.url, "api_key": key}
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(reverse("gandi_account_create"), data)
    assert response.status_code == 302
    account = GandiAccount.objects.get()
    assert [(e.task, e.args) for e in enqueued] == [("sites_app.sync_account_sites", (account.pk,))]
    # The list says it is reading them, as after "Sync from Gandi".
    html = client_for(alice).get(reverse("site_list")).content.decode()
    assert "Reading your sites from Gandi" in html


def updates_of_accounts(queries) -> int:
    return sum(1 for q in queries if q["sql"].startswith("UPDATE") and "sites_app_gandiaccount" in q["sql"])


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

"""Sync at scale: list rows first, details later, resumable passes, nothing hidden mid-pass."""

from __future__ import annotations

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sites_app import tasks
from sites_app.models import Site, SiteSync, VirtualHost
from sites_app.services import site_details, site_sync, sync_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def chained(monkeypatch) -> list[tuple[str, tuple]]:
    """The sync's own tasks queued by the code under test, captured instead of sent."""
    sent: list[tuple[str, tuple]] = []
    for task in (
        tasks.sync_account_sites,
        tasks.sync_account_sites_pages,
        tasks.read_site_details,
    ):

        def capture(args=None, kwargs=None, _name=task.name, **options):
            sent.append((_name, tuple(args or ())))

        monkeypatch.setattr(task, "apply_async", capture)
    return sent


@pytest.fixture
def small_pages(monkeypatch, settings):
    """Pages of 2 sites and one page per task, so a pass of 5 sites takes 3 tasks."""
    monkeypatch.setattr(site_sync, "PAGE_SIZE", 2)
    settings.SYNC_TASK_SECONDS = 0


def present_ids(account) -> list[int]:
    return sorted(Site.objects.present().filter(account=account).values_list("gandi_id", flat=True))


def gandi_key(account) -> str:
    return account.api_key()


def test_new_sites_are_listed_from_the_list_at_once_and_their_details_follow(account, simulator):
    ids = simulator.seed_sites(gandi_key(account), 3, prefix="Shop")
    sync = site_sync.start_pass(account, account.client())
    site_sync.run_pages(account, account.client(), sync, seconds=60)

    assert present_ids(account) == ids
    site = Site.objects.get(gandi_id=ids[0])
    assert (site.name, site.state) == (f"Shop {ids[0]}", "active")
    assert site.vhost_names() == [f"shop-{ids[0]}.basekit-site.example"]  # searchable at once
    assert simulator.calls()["site.info"] == 0
    assert site_details.due(account) == 3

    site_details.read_due(account, account.client(background=True))
    assert simulator.calls()["site.info"] == 3
    site.refresh_from_db()
    assert site.parking_vhost == f"shop-{ids[0]}.basekit-site.example"
    assert site_details.due(account) == 0


def test_only_sites_whose_list_row_changed_are_read_again(account, simulator):
    ids = simulator.seed_sites(gandi_key(account), 4)
    site_sync.sync_account(account)
    simulator.edit_site(ids[1], name="Renamed at Gandi")
    before = simulator.calls()["site.info"]

    result = site_sync.sync_account(account)

    assert (result.added, result.changed, result.unchanged, result.removed) == (0, 1, 3, 0)
    assert simulator.calls()["site.info"] - before == 1
    assert Site.objects.get(gandi_id=ids[1]).name == "Renamed at Gandi"


def test_the_queries_of_a_page_do_not_grow_with_the_sites_stored(account, simulator, monkeypatch):
    monkeypatch.setattr(site_sync, "PAGE_SIZE", 20)
    simulator.seed_sites(gandi_key(account), 120)

    def queries_per_page() -> list[int]:
        sync = site_sync.start_pass(account, account.client())
        counts, more = [], True
        while more:
            with CaptureQueriesContext(connection) as queries:
                more = site_sync.read_page(account, account.client(), sync)
            counts.append(len(queries))
        return counts[:-1]  # the last read finds nothing and ends the pass

    first, again = queries_per_page(), queries_per_page()

    assert len(first) == 6 and len(set(first)) == 1  # 0 or 100 sites stored: the same
    assert len(set(again)) == 1 and again[0] < first[0]  # nothing changed: fewer still


def test_a_site_deleted_at_gandi_stays_listed_until_the_pass_ends_then_is_gone(
    account, simulator, small_pages
):
    ids = simulator.seed_sites(gandi_key(account), 5)
    site_sync.sync_account(account)
    simulator.remove_site(ids[0])

    sync = site_sync.start_pass(account, account.client())
    seen_mid_pass = []
    while site_sync.read_page(account, account.client(), sync):
        seen_mid_pass.append(present_ids(account))

    assert seen_mid_pass and all(seen == ids for seen in seen_mid_pass)
    assert present_ids(account) == ids[1:]
    gone = Site.objects.get(gandi_id=ids[0])
    assert gone.is_removed and gone.state == "deleted"
    assert SiteSync.objects.get(account=account).removed == 1


def test_the_sites_page_never_hides_or_doubles_a_site_while_a_pass_runs(
    account, simulator, small_pages, client_for, alice
):
    ids = simulator.seed_sites(gandi_key(account), 5, prefix="Old")
    site_sync.sync_account(account)
    simulator.remove_site(ids[2])
    simulator.edit_site(ids[3], name="Old renamed")
    new = simulator.seed_sites(gandi_key(account), 2, prefix="New")
    browser = client_for(alice)

    def shown() -> list[int]:
        page = browser.get(reverse("site_list"))
        rows = [site.gandi_id for site in page.context["page"].object_list]
        assert page.context["total"] == len(rows)
        return sorted(rows)

    sync = site_sync.start_pass(account, account.client())
    while site_sync.read_page(account, account.client(), sync):
        rows = shown()
        assert set(ids) <= set(rows) and len(rows) == len(set(rows))

    assert shown() == sorted([i for i in ids if i != ids[2]] + new)


def test_a_killed_page_task_loses_one_page_at_most_and_beat_resumes_the_pass(
    account, simulator, small_pages, chained
):
    ids = simulator.seed_sites(gandi_key(account), 5)
    tasks.sync_account_sites(account.pk, 0)
    assert present_ids(account) == ids[:2]
    assert [name for name, _ in chained] == ["sites_app.sync_account_sites_pages"]
    chained.clear()  # the worker died with this message: nobody runs it

    SiteSync.objects.update(progressed_at=timezone.now() - timezone.timedelta(minutes=5))
    lists_before = simulator.calls()["site.list"]
    assert tasks.continue_site_syncs() == {"resumed": 1, "details": 1}
    assert ("sites_app.sync_account_sites", (account.pk, 0)) in chained
    tasks.sync_account_sites(account.pk, 0)  # what the worker does with it
    while (step := next((c for c in chained if c[0].endswith("_pages")), None)) is not None:
        chained.remove(step)
        tasks.sync_account_sites_pages(*step[1])

    assert simulator.calls()["site.list"] - lists_before == 2  # pages 2 and 3, not page 1 again
    assert present_ids(account) == ids
    sync = SiteSync.objects.get(account=account)
    assert (sync.status, sync.added, sync.sites_read) == ("done", 5, 5)
    assert ("sites_app.read_site_details", (account.pk,)) in chained


def test_a_second_sync_while_one_runs_starts_no_second_pass(account, simulator, small_pages):
    simulator.seed_sites(gandi_key(account), 5)
    sync = site_sync.start_pass(account, account.client())
    site_sync.read_page(account, account.client(), sync)

    assert sync_status.run_sync(account.pk) == "already running"
    assert SiteSync.objects.get(account=account).pass_number == sync.pass_number


@pytest.mark.django_db(transaction=True)
def test_a_time_limit_inside_a_page_rolls_it_back_and_the_sync_goes_on(
    account, simulator, small_pages, chained, monkeypatch
):
    ids = simulator.seed_sites(gandi_key(account), 5)
    real_bulk_create = VirtualHost.objects.bulk_create

    def time_is_up(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(VirtualHost.objects, "bulk_create", time_is_up)
    tasks.sync_account_sites(account.pk, 0)

    assert not Site.objects.exists()  # the page was rolled back whole
    assert SiteSync.objects.get(account=account).cursor == 0
    [(name, args)] = chained
    assert name == "sites_app.sync_account_sites_pages"  # it goes on from the cursor
    monkeypatch.setattr(VirtualHost.objects, "bulk_create", real_bulk_create)
    chained.clear()
    tasks.sync_account_sites_pages(*args)
    while (step := next((c for c in chained if c[0].endswith("_pages")), None)) is not None:
        chained.remove(step)
        tasks.sync_account_sites_pages(*step[1])

    assert present_ids(account) == ids
    assert Site.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_reader_on_another_connection_never_sees_a_site_missing_mid_sync(
    account, simulator, settings
):
    if connection.vendor != "postgresql":
        pytest.skip("a race test: needs PostgreSQL (DATABASE_URL) for two real connections")
    import threading

    from django.db import connections

    ids = simulator.seed_sites(gandi_key(account), 1200)
    first = site_sync.start_pass(account, account.client())
    site_sync.run_pages(account, account.client(), first, seconds=60)
    simulator.remove_site(ids.pop())
    simulator.edit_site(ids[600], name="Changed")
    simulator.seed_sites(gandi_key(account), 300)
    done = threading.Event()
    problems: list[str] = []
    reads = []

    def reader():
        try:
            while not done.is_set():
                seen = list(
                    Site.objects.present()
                    .filter(account=account)
                    .values_list("gandi_id", flat=True)
                )
                reads.append(len(seen))
                if len(seen) != len(set(seen)):
                    problems.append("a site counted twice")
                if not set(ids) <= set(seen):
                    problems.append(f"{len(set(ids) - set(seen))} sites missing")
        finally:
            connections.close_all()

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        sync = site_sync.start_pass(account, account.client())
        site_sync.run_pages(account, account.client(), sync, seconds=60)
    finally:
        done.set()
        thread.join()

    assert reads and problems == []
    assert len(present_ids(account)) == 1200 - 1 + 300

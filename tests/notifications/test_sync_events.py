"""Sites created or deleted in Gandi's own admin send site.created / site.deleted (found by
sync, `"source": "sync"`), as the portal's own creates and deletes do (`"source": "portal"`),
once each; the first import of an account sends none. Against the simulator over XML-RPC;
the webhook tasks run in-process and post to a receiver on loopback."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sites_app.models import OperationKind, OperationStatus, Site, WebhookDelivery
from sites_app.services import operations, site_details, site_refresh, site_sync
from tests.lifecycle.conftest import gandi_site, make_account, run_to_the_end
from tests.notifications.conftest import finished, request_create, verify_signature

pytestmark = pytest.mark.django_db


@pytest.fixture
def sync(notify_worker):
    """sync(account): a whole pass, committed, then the worker sends what it queued."""

    def run(account):
        with notify_worker.capture(execute=True):
            site_sync.sync_account(account)
        notify_worker.run()

    return run


def site_events(receiver) -> list[tuple[str, str, str]]:
    """(event, source, site name) of each site.* event the receiver got."""
    bodies = [r.json() for r in receiver.received]
    return [
        (b["type"], b["data"]["source"], b["data"]["site"]["name"])
        for b in bodies
        if b["type"] in ("site.created", "site.deleted")
    ]


def wait_at_gandi(account, gandi_operation_id: int) -> None:
    """Until Gandi has finished the operation (the portal has not polled it yet)."""
    client = account.client()
    deadline = time.monotonic() + 20
    while client.operation_info(gandi_operation_id).step != "DONE":
        assert time.monotonic() < deadline, "Gandi did not finish the operation"
        time.sleep(0.05)


def test_a_site_created_at_gandi_after_the_first_sync_sends_site_created_from_sync(
    hook, receiver, account, sync
):
    gandi_site(account, "Bakery")
    sync(account)  # the import: not news
    assert receiver.received == []

    gandi_site(account, "Florist")  # made in Gandi's own admin
    sync(account)

    assert site_events(receiver) == [("site.created", "sync", "Florist")]
    assert verify_signature(hook[1], receiver.received[0])
    data = receiver.received[0].json()["data"]
    florist = Site.objects.get(name="Florist")
    assert (data["site"]["id"], data["site"]["gandi_id"]) == (florist.pk, florist.gandi_id)
    sync(account)  # listed again: nothing new
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.count() == 1


def test_the_first_sync_of_an_account_with_30_sites_sends_nothing(
    hook, receiver, account, simulator, sync, monkeypatch
):
    monkeypatch.setattr(site_sync, "PAGE_SIZE", 10)  # the import spans pages
    simulator.seed_sites(account.api_key(), 30, prefix="Old")
    sync(account)
    assert Site.objects.present().filter(account=account).count() == 30
    sync(account)
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


def test_a_site_deleted_at_gandi_sends_site_deleted_once_the_next_pass_is_complete(
    hook, receiver, account, simulator, sync, notify_worker, monkeypatch
):
    ids = simulator.seed_sites(account.api_key(), 5, prefix="Shop")
    sync(account)
    simulator.remove_site(ids[0])  # deleted in Gandi's own admin

    monkeypatch.setattr(site_sync, "PAGE_SIZE", 2)
    pass_ = site_sync.start_pass(account, account.client())
    with notify_worker.capture(execute=True):
        while site_sync.read_page(account, account.client(), pass_):
            assert not WebhookDelivery.objects.exists()  # not before the pass is complete
    notify_worker.run()

    assert site_events(receiver) == [("site.deleted", "sync", f"Shop {ids[0]}")]
    assert verify_signature(hook[1], receiver.received[0])
    sync(account)
    assert len(receiver.received) == 1


def read_by_its_page(account, site: Site) -> None:
    site_refresh.refresh_site_by_id(site.pk)  # the worker's side of opening the site's page


def read_in_the_background(account, site: Site) -> None:
    Site.objects.filter(pk=site.pk).update(details_due=True)  # e.g. its list row changed
    site_details.read_due(account, account.client(background=True))


@pytest.mark.parametrize("read", [read_by_its_page, read_in_the_background])
def test_a_site_deleted_at_gandi_that_a_read_finds_first_sends_site_deleted_once(
    hook, receiver, account, simulator, sync, notify_worker, read
):
    ids = simulator.seed_sites(account.api_key(), 2, prefix="Shop")
    sync(account)
    simulator.remove_site(ids[0])

    with notify_worker.capture(execute=True):
        read(account, Site.objects.get(gandi_id=ids[0]))
    notify_worker.run()

    assert Site.objects.get(gandi_id=ids[0]).is_removed
    assert site_events(receiver) == [("site.deleted", "sync", f"Shop {ids[0]}")]
    sync(account)  # the next pass does not list it either: nothing more
    assert len(receiver.received) == 1


@pytest.mark.parametrize("gandi_tells_the_site_id", [True, False])
def test_a_portal_create_listed_by_sync_before_it_is_done_sends_one_site_created(
    hook,
    receiver,
    account,
    alice,
    simulator,
    sync,
    enqueued,
    notify_worker,
    django_capture_on_commit_callbacks,
    gandi_tells_the_site_id,
):
    sync(account)  # the account is imported (empty)
    # Without the site id, the create row is matched by the vhosts it asked for.
    simulator.omit_operation_site_id = not gandi_tells_the_site_id
    op = request_create(account, alice, name="Bakery")
    operations.submit_operation(op.pk)
    op.refresh_from_db()
    assert op.status == OperationStatus.IN_PROGRESS
    wait_at_gandi(account, op.gandi_operation_id)

    sync(account)  # lists the new site before the create's poll sees DONE
    assert Site.objects.filter(account=account, name="Bakery").count() == 1
    assert receiver.received == []

    op = finished(django_capture_on_commit_callbacks, run_to_the_end, op)
    notify_worker.run()
    sync(account)
    assert op.status == OperationStatus.DONE
    assert site_events(receiver) == [("site.created", "portal", "Bakery")]
    body = next(r.json() for r in receiver.received if r.json()["type"] == "site.created")
    assert body["data"]["operation"]["id"] == op.pk


def test_a_portal_delete_swept_by_sync_before_it_is_done_sends_one_site_deleted(
    hook,
    receiver,
    account,
    alice,
    sync,
    enqueued,
    notify_worker,
    django_capture_on_commit_callbacks,
):
    gandi_site(account, "Bakery")
    sync(account)
    site = Site.objects.get(account=account, name="Bakery")
    op, _ = operations.request_operation(
        account=account,
        kind=OperationKind.DELETE,
        user=alice,
        params={"name": site.name},
        idempotency_key="delete-bakery",
        site=site,
    )
    operations.submit_operation(op.pk)
    op.refresh_from_db()
    wait_at_gandi(account, op.gandi_operation_id)

    sync(account)  # no longer listed: swept before the delete's poll sees DONE
    site.refresh_from_db()
    assert site.is_removed and receiver.received == []

    op = finished(django_capture_on_commit_callbacks, run_to_the_end, op)
    notify_worker.run()
    assert op.status == OperationStatus.DONE
    assert site_events(receiver) == [("site.deleted", "portal", "Bakery")]


def test_the_queries_of_a_sync_page_do_not_grow_with_the_new_sites_it_announces(
    hook, team, account, simulator, sync
):
    def queries_for_new_sites(gandi_account, count: int) -> int:
        sync(gandi_account)  # imported, empty
        simulator.seed_sites(gandi_account.api_key(), count, prefix=f"New{count}")
        pass_ = site_sync.start_pass(gandi_account, gandi_account.client())
        with CaptureQueriesContext(connection) as queries:
            more = site_sync.read_page(gandi_account, gandi_account.client(), pass_)
        assert not more  # one page, which ends the pass
        made = WebhookDelivery.objects.filter(
            event="site.created", payload__data__site__name__startswith=f"New{count} "
        ).count()
        assert made == count
        return len(queries)

    five = queries_for_new_sites(account, 5)
    fifty = queries_for_new_sites(make_account(team, simulator, name="Second account"), 50)
    assert five == fifty

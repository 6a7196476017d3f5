"""Journey 1, the data side: site.list page by page into the database."""

from __future__ import annotations

import pytest

from sites_app.models import Site
from sites_app.services import site_sync
from sites_app.services import sites as site_service
from tests.lifecycle.conftest import MANAGED_DOMAIN, gandi_site

pytestmark = pytest.mark.django_db


def test_sync_adds_sites_created_outside_the_portal_with_their_vhosts(account):
    gandi_site(account, "Outside", [f"www.{MANAGED_DOMAIN}"])
    result = site_service.sync_account(account)
    assert result.added == 1
    site = Site.objects.get(account=account, name="Outside")
    assert site.state == "active"
    assert site.vhost_names()[0] == f"www.{MANAGED_DOMAIN}"
    assert site.parking_vhost in site.vhost_names()
    assert site.paid_until is not None
    assert site.last_synced_at is not None


def test_sync_follows_changes_and_deletions_made_outside(account):
    gandi_id = gandi_site(account, "Changing", [f"www.{MANAGED_DOMAIN}"])
    gone_id = gandi_site(account, "Going")
    site_service.sync_account(account)
    client = account.client()
    info = client.site_info(gandi_id)
    client.site_update(gandi_id, vhosts=[info.parking_vhost, f"www.{MANAGED_DOMAIN}"])
    client.site_delete(gone_id)
    _wait_until_idle(client)
    result = site_service.sync_account(account)
    assert result.changed >= 1
    assert result.removed == 1
    changed = Site.objects.get(gandi_id=gandi_id)
    assert changed.vhost_names() == [info.parking_vhost, f"www.{MANAGED_DOMAIN}"]
    gone = Site.objects.get(gandi_id=gone_id)
    assert gone.is_removed
    assert list(Site.objects.present().values_list("name", flat=True)) == ["Changing"]


def test_sync_reads_every_page(account, simulator, monkeypatch):
    for n in range(5):
        gandi_site(account, f"Paged {n}")
    monkeypatch.setattr(site_sync, "PAGE_SIZE", 2)
    before = simulator.calls()["site.list"]
    site_service.sync_account(account)
    assert Site.objects.filter(account=account).count() == 5
    assert simulator.calls()["site.list"] - before == 3  # 2 + 2 + 1


def test_a_second_sync_without_changes_reads_no_site_info(account, simulator):
    gandi_site(account, "Stable")
    site_service.sync_account(account)
    before = simulator.calls()["site.info"]
    result = site_service.sync_account(account)
    assert result.unchanged == 1
    assert simulator.calls()["site.info"] == before


def _wait_until_idle(client, timeout=20):
    import time

    deadline = time.monotonic() + timeout
    while client.operation_count({"step": ["BILL", "WAIT", "RUN"]}):
        assert time.monotonic() < deadline
        time.sleep(0.05)

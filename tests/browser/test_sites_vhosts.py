"""Journey 5 in Chromium: a foreign vhost added through the TXT page, then a vhost removed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sites_app.models import Site
from sites_app.services.sites import sync_account
from tests.lifecycle.conftest import MANAGED_DOMAIN, gandi_site, make_account

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def site(team, alice, simulator, gandi_settings, celery_worker_process):
    account = make_account(team, simulator)
    gandi_site(account, "Florist", [f"www.{MANAGED_DOMAIN}", f"old.{MANAGED_DOMAIN}"])
    sync_account(account)
    return Site.objects.get(name="Florist")


def test_a_foreign_vhost_is_added_after_its_txt_record_then_another_removed(
    page, login, alice, site, simulator
):
    before = simulator.calls()
    login(page, alice)
    page.goto(f"/sites/{site.pk}/vhosts/")
    page.get_by_label("New vhost").fill("Shop.Florist-Example.org")
    page.get_by_role("button", name="Add vhost").click()

    expect(page.locator("h1")).to_contain_text("prove you own the domains")
    record = page.get_by_test_id("txt-record")
    expect(record.get_by_test_id("txt-name")).to_have_text("shop.florist-example.org")
    simulator.publish_txt(
        "shop.florist-example.org", record.get_by_test_id("txt-value").inner_text()
    )
    page.get_by_role("button", name="Check DNS now").click()
    expect(record.get_by_test_id("record-status")).to_have_text("Seen in DNS")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("op-status")).to_have_text("Done", timeout=30_000)

    page.goto(f"/sites/{site.pk}/")
    vhost_list = page.get_by_test_id("vhost-list")
    expect(vhost_list).to_contain_text("shop.florist-example.org")
    expect(vhost_list).to_contain_text("TXT seen")

    page.goto(f"/sites/{site.pk}/vhosts/")
    page.get_by_test_id(f"remove-old.{MANAGED_DOMAIN}").click()
    page.locator("dialog[open]").get_by_test_id("remove-confirm").click()
    expect(page.get_by_test_id("op-status")).to_have_text("Done", timeout=30_000)
    page.goto(f"/sites/{site.pk}/")
    expect(vhost_list).not_to_contain_text(f"old.{MANAGED_DOMAIN}")
    expect(vhost_list).to_contain_text("shop.florist-example.org")
    calls = simulator.calls() - before
    assert calls["operation.info"] == 0  # polled in batches (operation.list) only
    assert calls["operation.list"] >= 2

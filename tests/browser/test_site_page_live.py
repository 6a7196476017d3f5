"""The site page follows an operation on its site without a reload (issue 10, item 2)."""

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
    gandi_site(account, "Greengrocer", [f"www.{MANAGED_DOMAIN}"])
    sync_account(account)
    return Site.objects.get(name="Greengrocer")


def test_the_site_page_shows_the_new_vhost_when_the_change_ends(
    page, login, alice, site, simulator
):
    simulator.step_seconds = 1.0  # long enough to open the site page while it runs
    login(page, alice)
    page.goto(f"/sites/{site.pk}/vhosts/")
    page.get_by_label("New vhost").fill(f"fresh.{MANAGED_DOMAIN}")
    page.get_by_role("button", name="Add vhost").click()
    expect(page.get_by_test_id("op-status")).not_to_have_text("Done")

    page.goto(f"/sites/{site.pk}/")
    live = page.get_by_test_id("site-live")
    # The Domains section shows the vhost on its way, then active when the change ends.
    fresh = live.locator(f'[data-testid="vhost"][data-vhost="fresh.{MANAGED_DOMAIN}"]')
    expect(fresh.get_by_test_id("domain-status")).to_have_text("updating")
    page.evaluate("window.stillTheSamePage = true")

    expect(fresh.get_by_test_id("domain-status")).to_have_text("active", timeout=30_000)
    expect(live.get_by_test_id("site-operations").get_by_test_id("op-status")).to_have_text("Done")
    expect(page.locator("h1")).to_contain_text("Active")
    assert page.evaluate("window.stillTheSamePage === true")  # swapped in place, no reload
    expect(live).not_to_have_attribute("hx-trigger", "every 500ms")  # quiet again

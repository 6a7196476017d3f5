"""The site page and the sites list follow an upgrade to its end without a reload, then stop
asking (issue 10, item 2): header state, package, paid-until and buttons, and no flash message
that contradicts what the page ends up saying."""

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


def test_the_site_page_and_the_list_show_the_upgrade_when_it_ends(
    new_page, login, alice, site, simulator
):
    simulator.step_seconds = 1.0  # long enough to open both pages while it runs
    page, listing = new_page(), new_page()
    login(page, alice)
    login(listing, alice)
    paid_until = site.paid_until.strftime("%Y-%m-%d %H:%M")

    page.goto(f"/sites/{site.pk}/upgrade/")
    offer = page.get_by_test_id("offer-business")
    offer.get_by_label("I accept this price").check()
    offer.get_by_role("button", name="Upgrade to business").click()
    expect(page.get_by_test_id("op-status")).not_to_have_text("Done")

    page.goto(f"/sites/{site.pk}/")
    listing.goto("/sites/")
    live = page.get_by_test_id("site-live")
    expect(live.get_by_test_id("site-package")).not_to_have_text("Business")
    for tab in (page, listing):
        tab.evaluate("window.stillTheSamePage = true")

    expect(live.get_by_test_id("site-package")).to_have_text("Business", timeout=30_000)
    expect(page.locator("h1")).to_contain_text("Active")
    expect(live.get_by_test_id("paid-until")).to_contain_text(paid_until)
    expect(live.get_by_role("link", name="Upgrade", exact=True)).to_be_visible()
    expect(live.get_by_test_id("site-operations").get_by_test_id("op-status").first).to_have_text(
        "Done"
    )
    expect(live).not_to_have_attribute("hx-trigger", "every 500ms")  # quiet again

    row = listing.get_by_test_id("site-row")
    expect(row).to_contain_text("Business", timeout=30_000)
    expect(listing.get_by_test_id("site-table-live")).not_to_have_attribute(
        "hx-trigger", "every 500ms"
    )
    for tab in (page, listing):
        assert tab.evaluate("window.stillTheSamePage === true")  # swapped in place
        # Whatever the pages said in a flash message, none says the change is still on its way.
        expect(tab.get_by_role("alert").filter(has_text="on its way")).to_have_count(0)

"""The Domains section in Chromium: add, make preferred and remove (with its dialog) in place."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sites_app.models import Operation, Site
from sites_app.services.sites import sync_account
from tests.browser.test_create_price import shot
from tests.lifecycle.conftest import MANAGED_DOMAIN, gandi_site, make_account, run_to_the_end

pytestmark = pytest.mark.django_db(transaction=True)


def row(page, name: str):
    return page.locator(f'[data-testid="vhost"][data-vhost="{name}"]')


def test_domains_change_in_place_with_a_status_per_row(
    page, login, alice, team, simulator, gandi_settings
):
    account = make_account(team, simulator)
    gandi_site(account, "Bakery", [f"www.{MANAGED_DOMAIN}"])
    sync_account(account)
    site = Site.objects.get()
    login(page, alice)
    page.goto(f"/sites/{site.pk}/")
    page.evaluate("window.stillTheSamePage = true")
    expect(row(page, site.parking_vhost).get_by_test_id("domain-status")).to_have_text("parking")

    # A typo: the error shows in the section and the box keeps what was typed.
    page.get_by_label("New vhost").fill("bad_host.example")
    page.get_by_role("button", name="Add vhost").click()
    expect(page.get_by_test_id("vhost-error")).to_contain_text("not a valid host name")
    expect(page.get_by_label("New vhost")).to_have_value("bad_host.example")

    page.get_by_label("New vhost").fill(f"blog.{MANAGED_DOMAIN}")
    page.get_by_role("button", name="Add vhost").click()
    expect(page.get_by_test_id("domain-notice")).to_contain_text("queued for Gandi")
    new = row(page, f"blog.{MANAGED_DOMAIN}")
    expect(new.get_by_test_id("domain-status")).to_have_text("updating")
    run_to_the_end(Operation.objects.get())
    expect(new.get_by_test_id("domain-status")).to_have_text("active", timeout=20_000)

    page.get_by_test_id(f"prefer-blog.{MANAGED_DOMAIN}").click()
    expect(page.get_by_test_id("domain-notice")).to_contain_text("Making preferred")
    run_to_the_end(Operation.objects.latest("pk"))
    expect(page.get_by_test_id("vhost").first).to_have_attribute(
        "data-vhost", f"blog.{MANAGED_DOMAIN}", timeout=20_000
    )

    page.get_by_test_id(f"remove-www.{MANAGED_DOMAIN}").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text(f"Remove www.{MANAGED_DOMAIN} from Bakery?")
    expect(dialog).to_contain_text("no longer reach this site")
    shot(page, "domains-remove-dialog-after.png")
    dialog.get_by_role("button", name="Keep it").click()
    expect(page.locator("dialog[open]")).to_have_count(0)
    assert Operation.objects.count() == 2

    page.get_by_test_id(f"remove-www.{MANAGED_DOMAIN}").click()
    page.locator("dialog[open]").get_by_test_id("remove-confirm").click()
    expect(row(page, f"www.{MANAGED_DOMAIN}").get_by_test_id("domain-status")).to_have_text(
        "removing"
    )
    run_to_the_end(Operation.objects.latest("pk"))
    expect(row(page, f"www.{MANAGED_DOMAIN}")).to_have_count(0, timeout=20_000)
    shot(page, "domains-section-after.png")
    assert page.evaluate("window.stillTheSamePage === true")  # never left the page

"""The eight site journeys in Chromium, against the live server, a REAL worker and the simulator."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from sites_app.models import Operation, Site
from sites_app.services.sites import sync_account
from tests.browser.create_steps import CHECK, check_and_confirm
from tests.lifecycle.conftest import MANAGED_DOMAIN, gandi_site, make_account

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def account(team, alice, simulator, gandi_settings):
    return make_account(team, simulator)


@pytest.fixture
def worker(account, celery_worker_process):
    return celery_worker_process


@pytest.fixture
def site(account):
    gandi_site(account, "Bakery", [f"www.{MANAGED_DOMAIN}", f"shop.{MANAGED_DOMAIN}"])
    sync_account(account)
    return Site.objects.get(name="Bakery")


def test_create_with_a_txt_proof_then_watch_it_reach_done(
    page, login, alice, account, worker, simulator, capsys
):
    simulator.step_seconds = 2.0  # the simulator's default step time, for the figure
    login(page, alice)
    page.get_by_role("link", name="Sites", exact=True).click()
    page.get_by_role("link", name="New site").click()
    page.fill("#id_name", "Corner shop")
    page.select_option("#id_package", "professional")
    page.select_option("#id_duration", "3m")
    page.fill("#id_vhosts", "WWW.Corner-Shop.example\n")
    check_and_confirm(page)

    expect(page.locator("h1")).to_contain_text("prove you own the domains")
    record = page.get_by_test_id("txt-record")
    expect(record.get_by_test_id("txt-name")).to_have_text("www.corner-shop.example")
    expect(record).to_contain_text("10800")
    value = record.get_by_test_id("txt-value").inner_text()
    assert re.fullmatch(r"vhost=[0-9a-f]{32}", value)
    expect(record.get_by_role("button", name="Copy").nth(2)).to_have_attribute("data-copy", value)

    page.get_by_role("button", name="Check DNS now").click()
    expect(record.get_by_test_id("record-status")).to_have_text("Not seen yet")
    expect(record.get_by_test_id("dns-answer")).to_contain_text("DNS returned")

    simulator.publish_txt("www.corner-shop.example", value)
    page.get_by_role("button", name="Check DNS now").click()
    expect(page.get_by_test_id("record-status")).to_have_text("Seen in DNS")

    calls_before = simulator.calls()
    started = time.monotonic()
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("operation-progress")).to_be_visible()
    url_of_operation = page.url
    expect(page.get_by_test_id("op-status")).to_have_text("Done", timeout=30_000)
    elapsed = time.monotonic() - started
    calls = simulator.calls() - calls_before
    assert page.url == url_of_operation  # updated in place by htmx, no reload
    with capsys.disabled():
        print(f"\n[figures] submit to DONE shown in the browser, 2 s steps: {elapsed:.1f}s")
        print(f"[figures] XML-RPC calls from confirm to DONE: {dict(calls)}")
    assert calls["site.create"] == 1
    page.get_by_test_id("site-link").click()
    expect(page.get_by_test_id("vhost-list")).to_contain_text("www.corner-shop.example")
    expect(page.get_by_test_id("vhost-list")).to_contain_text("TXT seen")
    expect(page.get_by_test_id("site-package")).to_have_text("Professional")


def test_bad_input_is_explained_next_to_the_field(page, login, alice, account):
    login(page, alice)
    page.goto("/sites/new/")
    page.fill("#id_name", "Shop")
    page.fill("#id_vhosts", "good.example.com\nbad_host.example.com")
    page.get_by_role("button", name=CHECK).click()
    expect(page.get_by_test_id("error-vhosts")).to_contain_text("not a valid host name")
    expect(page.locator("#id_vhosts")).to_have_value("good.example.com\nbad_host.example.com")
    expect(page.locator("#id_name")).to_have_value("Shop")


def test_sync_lists_sites_made_outside_and_search_finds_them(page, login, alice, account, worker):
    gandi_site(account, "Alpha bakery", [f"alpha.{MANAGED_DOMAIN}"])
    gandi_site(account, "Beta garage", [f"beta.{MANAGED_DOMAIN}"])
    gandi_site(account, "Book shop", [f"xn--bcher-kva.{MANAGED_DOMAIN}"])
    login(page, alice)
    page.goto("/sites/")
    expect(page.get_by_test_id("no-sites")).to_be_visible()
    page.get_by_test_id("sync").click()
    expect(page.get_by_role("alert")).to_contain_text("the list refreshes when it is done")
    # No reload by the person: the list polls the sync and reloads itself once it is done.
    expect(page.get_by_test_id("site-row")).to_have_count(3, timeout=20_000)
    expect(page.get_by_test_id("sync-result")).to_contain_text("Synced Main account: 3 new")
    expect(page.get_by_test_id("sync-running")).to_have_count(0)
    page.fill("#id_q", f"beta.{MANAGED_DOMAIN}")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("site-row")).to_have_count(1)
    expect(page.get_by_test_id("site-row")).to_contain_text("Beta garage")
    page.fill("#id_q", "bücher")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("site-row")).to_have_count(1)
    expect(page.get_by_test_id("site-row")).to_contain_text(
        f"bücher.{MANAGED_DOMAIN} (xn--bcher-kva.{MANAGED_DOMAIN})"
    )


def test_site_page_vhost_order_and_the_editor_link(page, login, alice, site, worker):
    login(page, alice)
    page.goto(f"/sites/{site.pk}/")
    vhosts = page.get_by_test_id("vhost-list").get_by_test_id("vhost")
    expect(vhosts.first).to_contain_text(f"www.{MANAGED_DOMAIN}")
    expect(page.get_by_test_id("site-info")).to_contain_text(site.parking_vhost)

    with page.expect_popup() as popup:
        page.get_by_test_id("edit-site").click()
    expect(popup.value).to_have_url(re.compile(r"/_sim/edit/"))

    page.get_by_role("link", name="Vhosts", exact=True).click()
    page.get_by_test_id(f"prefer-shop.{MANAGED_DOMAIN}").click()
    expect(page.get_by_test_id("op-status")).to_have_text("Done", timeout=30_000)
    page.goto(f"/sites/{site.pk}/")
    expect(vhosts.first).to_contain_text(f"shop.{MANAGED_DOMAIN}")
    expect(page.get_by_test_id("site-operations")).to_contain_text("Change vhosts")

    page.goto(f"/sites/{site.pk}/vhosts/")
    expect(page.get_by_test_id(f"remove-{site.parking_vhost}")).to_have_count(0)


def test_upgrade_with_a_quote_then_delete(page, login, alice, site, worker):
    login(page, alice)
    page.goto(f"/sites/{site.pk}/")
    page.get_by_role("link", name="Upgrade", exact=True).click()
    offer = page.get_by_test_id("offer-business")
    expect(offer.get_by_test_id("price")).to_contain_text("EUR")
    expect(page.get_by_test_id("offer-personal")).to_have_count(0)
    offer.get_by_label("I accept this price").check()
    offer.get_by_role("button", name="Upgrade to business").click()
    expect(page.get_by_test_id("op-status")).to_have_text("Done", timeout=30_000)
    page.goto(f"/sites/{site.pk}/")
    expect(page.get_by_test_id("site-package")).to_have_text("Business")

    page.get_by_role("link", name="Delete", exact=True).click()
    page.fill("#id_confirm_name", "bakery")
    page.get_by_test_id("delete-submit").click()
    expect(page.get_by_test_id("error-confirm_name")).to_contain_text("Type “Bakery” exactly")
    page.fill("#id_confirm_name", "Bakery")
    page.get_by_test_id("delete-submit").click()
    expect(page.get_by_test_id("op-status")).to_have_text("Done", timeout=30_000)
    page.goto("/sites/")
    expect(page.get_by_test_id("site-row")).to_have_count(0)
    page.goto(f"/sites/{site.pk}/")
    expect(page.get_by_test_id("site-removed")).to_be_visible()


def test_the_operations_page_and_cancel_while_billing(page, login, alice, site, worker, simulator):
    simulator.step_seconds = 8.0
    login(page, alice)
    page.goto(f"/sites/{site.pk}/vhosts/")
    page.get_by_test_id(f"prefer-shop.{MANAGED_DOMAIN}").click()
    expect(page.get_by_test_id("gandi-step")).to_have_text("BILL", timeout=15_000)
    page.get_by_test_id("cancel").click()
    expect(page.get_by_test_id("op-status")).to_have_text("Cancelled", timeout=30_000)
    expect(page.get_by_test_id("retry")).to_be_visible()

    page.locator("#mainnav").get_by_role("link", name="Operations").click()
    expect(page.get_by_test_id("operation-row")).to_have_count(1)
    page.select_option("#f-step", "CANCEL")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("operation-row")).to_have_count(1)
    page.select_option("#f-step", "DONE")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("operation-row")).to_have_count(0)
    assert Operation.objects.get().status == "cancelled"


def test_the_verification_page_rechecks_dns_by_itself(page, login, alice, account, simulator):
    login(page, alice)
    page.goto("/sites/new/")
    page.fill("#id_name", "Self checking")
    page.fill("#id_vhosts", "www.patient-owner.example")
    check_and_confirm(page)
    value = page.get_by_test_id("txt-value").inner_text()
    expect(page.get_by_test_id("record-status")).to_have_text("Not seen yet")
    simulator.publish_txt("www.patient-owner.example", value)
    # No click: the fragment checks again on its own (first after 5 s, then less often).
    expect(page.get_by_test_id("record-status")).to_have_text("Seen in DNS", timeout=20_000)
    expect(page.get_by_test_id("confirm")).to_be_visible()
    expect(page.get_by_test_id("dns-answer")).to_contain_text(value)

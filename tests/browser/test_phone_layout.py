"""Pages with long host names and TXT values fit a phone screen: nothing sticks out sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sites_app.models import Site
from sites_app.services.sites import sync_account
from tests.browser.create_steps import check_and_confirm
from tests.lifecycle.conftest import MANAGED_DOMAIN, gandi_site, make_account

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 390
LONG_LABEL = "a-rather-long-shop-name-for-the-phone"


@pytest.fixture
def account(team, alice, simulator, gandi_settings):
    return make_account(team, simulator)


def sticks_out(page) -> int:
    """How many pixels the page is wider than the screen."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_site_page_and_the_txt_page_fit_a_phone(page, login, alice, account):
    gandi_site(account, "Book shop", [f"xn--bcher-kva.{MANAGED_DOMAIN}"])
    sync_account(account)
    site = Site.objects.get()
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    login(page, alice)

    page.goto(f"/sites/{site.pk}/")
    expect(page.get_by_test_id("vhost-list")).to_contain_text(f"bücher.{MANAGED_DOMAIN}")
    assert sticks_out(page) <= 0

    page.goto("/sites/new/")
    page.fill("#id_name", "Long name shop")
    page.fill("#id_vhosts", f"www.{LONG_LABEL}.example")
    check_and_confirm(page)
    expect(page.get_by_test_id("txt-record")).to_be_visible()
    assert sticks_out(page) <= 0

"""A sync is atomic for the reader (issue 10, item 4): while a pass reads Gandi's list page by
page, the sites list never loses a site and never counts one twice."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from sites_app.services import site_sync
from sites_app.services.sites import sync_account
from tests.lifecycle.conftest import MANAGED_DOMAIN, gandi_site, make_account

pytestmark = pytest.mark.django_db(transaction=True)

NAMES = ["Alpha bakery", "Beta garage", "Gamma florist", "Delta books", "Epsilon cafe"]


def listed(page) -> tuple[list[str], str]:
    page.goto("/sites/")
    rows = page.get_by_test_id("site-row").locator("td:first-child").all_inner_texts()
    return sorted(rows), page.get_by_test_id("site-count").inner_text()


def test_the_list_keeps_every_site_while_a_sync_reads_page_by_page(
    page, login, alice, team, simulator, gandi_settings, monkeypatch
):
    account = make_account(team, simulator)
    for i, name in enumerate(NAMES):
        gandi_site(account, name, [f"s{i}.{MANAGED_DOMAIN}"])
    sync_account(account)
    gandi_site(account, "Zeta newcomer", [f"new.{MANAGED_DOMAIN}"])  # made outside the portal
    login(page, alice)
    before, count = listed(page)
    assert before == sorted(NAMES) and count == "5 shown of 5"

    monkeypatch.setattr(site_sync, "PAGE_SIZE", 2)  # four pages of Gandi's list
    client = account.client()
    sync = site_sync.start_pass(account, client)
    seen = []
    more = True
    while more:
        more = site_sync.read_page(account, client, sync)
        sync.refresh_from_db()
        names, count = listed(page)
        seen.append((sync.sites_read, count))
        assert set(NAMES) <= set(names), f"a site vanished after {sync.sites_read} read: {names}"
        assert len(names) == len(set(names)), f"a site listed twice: {names}"
        shown, total = map(int, re.fullmatch(r"(\d+) shown of (\d+)", count).groups())
        assert shown == total == len(names), f"after {sync.sites_read} read the list says {count}"
    assert len(seen) >= 3  # the pass really went page by page
    expect(page.get_by_test_id("site-count")).to_have_text("6 shown of 6")
    assert listed(page)[0] == sorted([*NAMES, "Zeta newcomer"])

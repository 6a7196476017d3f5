"""Plain words (issue 10, item 8): display names instead of Gandi's codes, empty pages that say
what to do next, and a name limit the help and the input agree on."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sites_app.models import Site
from sites_app.services.sites import sync_account
from tests.lifecycle.conftest import MANAGED_DOMAIN, gandi_site, make_account

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_new_team_is_told_to_add_an_account_then_to_create_its_first_site(
    page, login, alice, team, simulator, gandi_settings
):
    login(page, alice)
    page.goto("/sites/")
    empty = page.get_by_test_id("no-sites")
    expect(empty).to_contain_text("the team has no Gandi account")
    expect(empty.get_by_role("link", name="Add a Gandi account")).to_have_attribute(
        "href", "/gandi-accounts/new/"
    )
    page.goto("/gandi-accounts/")
    expect(page.get_by_test_id("gandi-accounts")).to_contain_text(
        "Use “Add a Gandi account” with its API key: its sites are imported at once."
    )
    expect(page.get_by_role("link", name="Add a Gandi account")).to_be_visible()

    make_account(team, simulator)
    page.goto("/sites/")
    expect(empty.get_by_role("link", name="Create your first site")).to_have_attribute(
        "href", "/sites/new/"
    )
    page.goto("/")
    expect(page.get_by_test_id("sites-panel").get_by_role("link").first).to_have_text(
        "Create your first site"
    )

    page.goto("/sites/new/")
    name = page.locator("#id_name")
    expect(name).to_have_attribute("maxlength", "64")
    expect(page.locator("#id_name_helptext")).to_contain_text("1 to 64")


def test_the_site_page_shows_names_not_gandis_codes(
    page, login, alice, team, simulator, gandi_settings
):
    account = make_account(team, simulator)
    gandi_site(account, "Greengrocer", [f"www.{MANAGED_DOMAIN}"])
    sync_account(account)
    site = Site.objects.get()
    assert site.provider == "basekit_whitelabel"
    login(page, alice)
    page.goto(f"/sites/{site.pk}/")
    info = page.get_by_test_id("site-info")
    expect(info).to_contain_text("Basekit (Gandi's website builder)")
    expect(info).not_to_contain_text("basekit_whitelabel")
    expect(page.get_by_test_id("site-package")).to_have_text(site.package.capitalize())

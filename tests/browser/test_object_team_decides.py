"""Buttons follow the team that owns the object, not the selected team (issue 10, item 3)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sites_app.models import Membership, Role, Site
from sites_app.services.sites import sync_account
from tests.lifecycle.conftest import MANAGED_DOMAIN, gandi_site, make_account

pytestmark = pytest.mark.django_db(transaction=True)

SITE_BUTTONS = ["Edit the site", "Vhosts", "Upgrade", "Delete"]


@pytest.fixture
def sites(team, alice, other_team, simulator, gandi_settings):
    """Alice owns Acme Web and is a viewer in Globex; each team has one site."""
    Membership.objects.create(team=other_team, user=alice, role=Role.VIEWER)
    ours = make_account(team, simulator, name="Acme account")
    theirs = make_account(other_team, simulator, name="Globex account")
    gandi_site(ours, "Acme shop", [f"shop.{MANAGED_DOMAIN}"])
    gandi_site(theirs, "Globex shop", [f"globex.{MANAGED_DOMAIN}"])
    sync_account(ours)
    sync_account(theirs)
    return Site.objects.get(name="Acme shop"), Site.objects.get(name="Globex shop")


def site_buttons(page):
    header = page.get_by_test_id("site-live")
    return [
        name
        for name in SITE_BUTTONS
        if header.get_by_role("button", name=name, exact=True).count()
        + header.get_by_role("link", name=name, exact=True).count()
    ]


def test_an_owner_of_one_team_sees_only_what_a_viewer_may_do_on_the_other_teams_site(
    page, login, alice, sites
):
    ours, theirs = sites
    login(page, alice)
    page.get_by_test_id("team-switcher").click()
    page.get_by_role("button", name="Acme Web (Owner)").click()
    expect(page.get_by_test_id("team-switcher")).to_contain_text("Acme Web")

    page.goto(f"/sites/{ours.pk}/")
    expect(page.locator("h1")).to_contain_text("Acme shop")
    assert site_buttons(page) == SITE_BUTTONS
    expect(page.get_by_test_id("viewing-as")).to_have_count(0)

    page.goto(f"/sites/{theirs.pk}/")  # a shared link to the other team's site
    expect(page.locator("h1")).to_contain_text("Globex shop")
    assert site_buttons(page) == []
    expect(page.get_by_test_id("viewing-as")).to_have_text("You are viewing Globex as Viewer.")
    # The selected team stays what it was: the banner says whose page this is.
    expect(page.get_by_test_id("team-switcher")).to_contain_text("Acme Web")

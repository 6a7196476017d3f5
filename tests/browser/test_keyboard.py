"""Keyboards (issue 10, item 7): a skip link first, a focus ring you can see, and a long team
name cut in the navigation bar with the full name on hover and focus."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

LONG_NAME = "The cooperative of the independent booksellers of the lower valley and the hills"


def test_the_first_tab_offers_to_skip_to_the_content_and_focus_is_visible(page, login, alice, team):
    team.name = LONG_NAME
    team.save()
    login(page, alice)
    page.goto("/team/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.keyboard.press("Tab")  # the first control of the page's content
    focused = page.locator(":focus")
    expect(focused).to_have_text("Invite someone")
    outline = focused.evaluate(
        "e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth"
    )
    assert outline.startswith("solid") and outline != "solid 0px", outline

    team_name = page.locator("nav .team-name")
    expect(team_name).to_have_attribute("title", LONG_NAME)
    width = team_name.evaluate("e => e.getBoundingClientRect().width")
    assert width < 300  # cut, not stretched over the bar
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

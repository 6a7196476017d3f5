import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_signs_in_sees_the_dashboard_and_signs_out(page, login, alice):
    login(page, alice)
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.get_by_text("You are working in Acme Web as Owner")).to_be_visible()
    # The vendored Bootstrap is served: the navbar is styled dark.
    background = page.locator("nav.navbar").evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(33, 37, 41)"
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_a_wrong_password_is_refused_with_a_message(page, alice):
    page.goto("/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.locator("#id_username")).to_have_value("alice")

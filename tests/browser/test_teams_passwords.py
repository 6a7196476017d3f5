"""Browser journeys: change one's password, reset a forgotten one by email, change one's email."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.fixtures.personas import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a-brand-new-long-passphrase"


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile("/accounts/login/"))


def test_a_person_changes_their_password_and_signs_in_with_it(page, login, alice):
    login(page, alice)
    page.get_by_role("link", name="alice").click()
    page.get_by_role("link", name="Change password").click()
    page.fill("#id_old_password", "not my password")
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#id_old_password")).to_have_class(re.compile("is-invalid"))

    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")

    sign_out(page)
    login(page, alice, NEW_PASSWORD)
    expect(page.get_by_role("link", name="alice")).to_be_visible()


def test_a_forgotten_password_is_reset_through_the_emailed_link(page, login, alice):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.fill("#id_email", alice.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status")).to_contain_text("an email with a link")

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/reset/\S+", mail.outbox[0].body).group(0)
    page.goto(link)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.get_by_role("button", name="Set the password").click()
    expect(page.get_by_role("status")).to_contain_text("Your new password is set")

    page.get_by_role("link", name="Sign in").click()
    login(page, alice, NEW_PASSWORD)
    expect(page.get_by_role("link", name="alice")).to_be_visible()

    sign_out(page)
    page.goto(link)  # the link works once
    expect(page.get_by_role("alert")).to_contain_text("not valid any more")


def test_changing_ones_email_asks_for_the_current_password_then_the_link(page, login, alice):
    login(page, alice)
    page.get_by_role("link", name="alice").click()
    page.fill("#id_email", "alice.new@example.com")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_current_password")).to_have_class(re.compile("is-invalid"))
    expect(page.get_by_text("Enter your current password")).to_be_visible()

    page.fill("#id_current_password", PASSWORD)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("We sent a link to alice.new@example.com")
    expect(page.locator("#id_email")).to_have_value("alice@example.com")  # not yet
    expect(page.get_by_test_id("pending-email")).to_contain_text("alice.new@example.com")

    link = re.search(r"http://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    page.goto(link.group(1))
    page.get_by_role("button", name="Confirm").click()
    page.goto("/profile/")
    expect(page.locator("#id_email")).to_have_value("alice.new@example.com")


def test_a_new_password_can_be_shown_and_its_meter_says_what_is_accepted(page, login, alice):
    login(page, alice)
    page.goto("/accounts/password_change/")
    new = page.locator("#id_new_password1")
    meter = page.get_by_test_id("password-strength")
    expect(meter).to_have_text("At least 12 characters.")
    new.fill("ten-chars!")
    expect(meter).to_have_text("Too short: 2 more characters (at least 12).")
    new.fill("twelve-chars")
    expect(meter).to_contain_text("Strength: fair")
    new.fill(NEW_PASSWORD)
    expect(meter).to_have_text("Strength: strong.")
    expect(page.get_by_test_id("password-strength")).to_have_count(1)  # not under the repeat

    show = new.locator("xpath=following-sibling::button")
    expect(new).to_have_attribute("type", "password")
    show.click()
    expect(new).to_have_attribute("type", "text")
    expect(show).to_have_text("Hide")
    show.click()
    expect(new).to_have_attribute("type", "password")
    # the sign-in page's password can be shown too
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#id_password")).to_have_attribute("type", "text")

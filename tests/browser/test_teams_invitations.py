"""Browser journey: invite → accept in another browser → act with the new role."""

import re

import pytest
from playwright.sync_api import expect

from sites_app.models import Membership, Role

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_invited_admin_joins_in_another_browser_and_invites_someone(
    page, new_page, login, alice
):
    login(page, alice)
    page.get_by_role("link", name="Team", exact=True).click()
    page.get_by_role("link", name=re.compile("Invite someone")).click()
    page.fill("#id_email", "dana@example.com")
    page.select_option("#id_role", "admin")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("alert")).to_contain_text("Invitation sent to dana@example.com")
    link = page.get_by_label("Invitation link").input_value()
    expect(page.get_by_test_id("pending-invitations")).to_contain_text("dana@example.com")

    # Dana, in her own browser (separate cookies), sees which team she joins, then signs up.
    dana = new_page()
    dana.goto(link)
    expect(dana.get_by_test_id("invited-team")).to_have_text("Acme Web")
    expect(dana.get_by_text("as Admin")).to_be_visible()
    dana.fill("#id_username", "dana")
    dana.fill("#id_password1", "dana-has-a-long-passphrase")
    dana.fill("#id_password2", "dana-has-a-long-passphrase")
    dana.get_by_role("button", name="Create account and join").click()
    expect(dana.get_by_role("alert")).to_contain_text("Welcome to Acme Web: your role is Admin")
    assert Membership.objects.get(user__username="dana").role == Role.ADMIN

    # The link is used up: opening it again is refused.
    again = new_page()
    again.goto(link)
    expect(again.get_by_test_id("invitation-refused")).to_contain_text("already been used")

    # As an admin, Dana invites someone, but may not hand out the owner role.
    dana.get_by_role("link", name="Team", exact=True).click()
    dana.get_by_role("link", name=re.compile("Invite someone")).click()
    expect(dana.locator("#id_role option[value=owner]")).to_have_count(0)
    dana.fill("#id_email", "erin@example.com")
    dana.select_option("#id_role", "viewer")
    dana.get_by_role("button", name="Send invitation").click()
    expect(dana.get_by_test_id("pending-invitations")).to_contain_text("erin@example.com")


def test_a_person_signed_in_with_another_address_is_refused(page, new_page, login, alice, member):
    login(page, alice)
    page.goto("/team/invitations/")
    page.fill("#id_email", "dana@example.com")
    page.get_by_role("button", name="Send invitation").click()
    link = page.get_by_label("Invitation link").input_value()

    operator = member(Role.OPERATOR)
    other = login(new_page(), operator)
    other.goto(link)
    expect(other.get_by_test_id("invitation-refused")).to_contain_text(
        "This invitation is for dana@example.com"
    )

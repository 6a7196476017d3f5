"""Browser journeys of two-factor authentication: enrol an authenticator app, sign in with it,
use a recovery code, a team requiring MFA sends a member to enrol, and a security key enrolled
and used through Chromium's virtual authenticator."""

import re
import time

import pytest
from playwright.sync_api import expect

from sites_app.models import Role
from tests.fixtures.personas import PASSWORD
from tests.fixtures.totp import totp_code

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _codes_of_the_next_period_count(settings):
    # Enrolment uses the current period's code; the sign-in right after uses the next one.
    settings.MFA_TOTP_TOLERANCE = 1


def sign_out(page):
    page.get_by_role("button", name="Sign out").first.click()
    expect(page).to_have_url(re.compile("/accounts/login/"))


def type_password(page, user):
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def enrol_authenticator_app(page) -> str:
    page.goto("/profile/")
    page.get_by_role("link", name="Two-factor authentication").first.click()
    page.get_by_role("link", name="Activate").click()
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("#id_code", totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Authenticator app activated")).to_be_visible()
    return secret


def test_enrol_an_authenticator_app_sign_in_with_it_then_with_a_recovery_code(page, login, alice):
    login(page, alice)
    secret = enrol_authenticator_app(page)
    page.goto("/accounts/2fa/recovery-codes/")
    codes = page.locator("#recovery_codes").input_value().split()
    assert len(codes) == 10
    sign_out(page)

    type_password(page, alice)
    expect(page).to_have_url(re.compile("/accounts/2fa/authenticate/"))
    page.fill("#id_code", totp_code(secret, time.time() + 30))
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator("h1")).to_have_text("Dashboard")
    sign_out(page)

    type_password(page, alice)
    page.fill("#id_code", codes[0])
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator("h1")).to_have_text("Dashboard")
    page.goto("/audit/")
    expect(page.get_by_role("cell", name=re.compile("Used a recovery code"))).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("Added a second factor")).first).to_be_visible()


def test_a_team_requiring_mfa_sends_a_member_to_enrol(new_page, login, alice, member):
    owner = login(new_page(), alice)
    enrol_authenticator_app(owner)  # an owner needs a second factor to require one
    owner.goto("/team/")
    owner.check("#id_require_mfa")
    owner.get_by_role("button", name="Save").click()
    expect(owner.get_by_text("Members now need two-factor authentication")).to_be_visible()

    viewer = member(Role.VIEWER)
    page = new_page()
    login(page, viewer)
    expect(page).to_have_url(re.compile("/accounts/2fa/$"))
    expect(page.get_by_text("Acme Web requires two-factor authentication")).to_be_visible()
    page.goto("/sites/")
    expect(page).to_have_url(re.compile("/accounts/2fa/$"))
    enrol_authenticator_app(page)
    page.goto("/sites/")
    expect(page.locator("h1")).to_have_text(re.compile("Sites"))
    owner.goto("/team/")
    expect(owner.locator(f'tr[data-member="{viewer.username}"] [data-testid=mfa]')).to_have_text(
        "on"
    )


def add_virtual_authenticator(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp


def test_a_security_key_is_enrolled_and_used_to_sign_in(page, login, alice, settings):
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server speaks plain http
    add_virtual_authenticator(page)
    login(page, alice)
    page.goto("/accounts/2fa/webauthn/add/")
    page.fill("#id_name", "My key")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Security key added.")).to_be_visible()
    # The first factor brings recovery codes; the key is listed under its name.
    expect(page.locator("h1")).to_have_text("Recovery Codes")
    page.goto("/accounts/2fa/webauthn/")
    expect(page.get_by_role("cell", name="My key")).to_be_visible()
    sign_out(page)

    type_password(page, alice)
    expect(page).to_have_url(re.compile("/accounts/2fa/authenticate/"))
    page.get_by_role("button", name="Use a security key").click()
    expect(page.locator("h1")).to_have_text("Dashboard")
    page.goto("/audit/")
    expect(page.get_by_role("cell", name=re.compile("Added a second factor")).first).to_be_visible()

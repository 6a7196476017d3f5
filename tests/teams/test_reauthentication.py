"""Sensitive actions ask for a fresh authentication when the last one is older than
REAUTHENTICATION_MINUTES: adding or replacing a Gandi key, changing roles, deleting a site,
requiring MFA for the team."""

import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from sites_app.models import Membership, Role
from tests.fixtures.personas import PASSWORD


def age_authentication(client, minutes: float) -> None:
    """Make the session's last sign-in (or confirmation) `minutes` old."""
    session = client.session
    records = session["account_authentication_methods"]
    for record in records:
        record["at"] = time.time() - minutes * 60
    session["account_authentication_methods"] = records
    session.save()


@pytest.fixture
def stale_owner(alice, client_for, settings):
    assert settings.REAUTHENTICATION_MINUTES == 10
    client = client_for(alice)
    age_authentication(client, 11)
    return client


def test_a_role_change_waits_for_the_password_then_goes_through(stale_owner, member):
    viewer = member(Role.VIEWER)
    membership = Membership.objects.get(user=viewer)
    url = reverse("member_role", args=[membership.pk])
    response = stale_owner.post(url, {"role": "operator"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER  # not yet

    page = stale_owner.get(response["Location"]).content.decode()
    assert "Confirm Access" in page or "confirm" in page.lower()
    wrong = stale_owner.post(response["Location"], {"password": "not it"})
    assert wrong.status_code == 200
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER

    stale_owner.post(response["Location"], {"password": PASSWORD})
    membership.refresh_from_db()
    assert membership.role == Role.OPERATOR  # the parked request resumed


def test_a_recent_sign_in_needs_no_confirmation(alice, client_for, member):
    client = client_for(alice)
    age_authentication(client, 9)
    membership = Membership.objects.get(user=member(Role.VIEWER))
    client.post(reverse("member_role", args=[membership.pk]), {"role": "operator"})
    membership.refresh_from_db()
    assert membership.role == Role.OPERATOR


def test_the_gandi_key_form_asks_first_and_never_parks_a_key(stale_owner):
    page = stale_owner.get(reverse("gandi_account_create"))
    assert page["Location"].startswith(reverse("account_reauthenticate"))
    key = "SECRETkey0123456789abcdef"
    data = {"name": "Main", "endpoint": "custom", "custom_url": "http://x/", "api_key": key}
    response = stale_owner.post(reverse("gandi_account_create"), data)
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    stored = SessionStore(session_key=stale_owner.session.session_key).load()
    assert key not in str(stored)
    stale_owner.post(response["Location"], {"password": PASSWORD})
    # Back to the (empty) form, nothing created.
    from sites_app.models import GandiAccount

    assert not GandiAccount.objects.exists()


def test_deleting_a_site_and_requiring_mfa_ask_too(stale_owner, team):
    from sites_app.models import Endpoint, GandiAccount, Operation, Site

    account = GandiAccount(team=team, name="Main", endpoint=Endpoint.CUSTOM, custom_url="http://x/")
    account.set_api_key("matrixkey0123456789abcd")
    account.save()
    site = Site.objects.create(
        account=account, gandi_id=7, name="Shop", state="active", package="personal"
    )
    response = stale_owner.post(reverse("site_delete", args=[site.pk]), {"confirm_name": "Shop"})
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not Operation.objects.exists()
    response = stale_owner.post(reverse("team_require_mfa"), {"require_mfa": "on"})
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    team.refresh_from_db()
    assert not team.require_mfa

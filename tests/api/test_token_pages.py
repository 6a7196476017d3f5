"""Profile → API tokens: made after a fresh authentication, shown once, revocable."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sites_app.models import ApiToken, AuditEvent
from sites_app.models.tokens import hash_secret
from tests.api.conftest import api_client
from tests.teams.test_reauthentication import age_authentication

pytestmark = pytest.mark.django_db


def form(team, **extra):
    return {"team": str(team.pk), "name": "deploy", "access": "write", "days": 90, **extra}


def test_a_token_is_shown_once_and_works(client_for, alice, team):
    client = client_for(alice)
    page = client.post(reverse("api_token_create"), form(team, networks="127.0.0.0/8"))
    assert page.status_code == 200
    token = page.context["new_token"]
    assert token.encode() in page.content
    row = ApiToken.objects.get()
    assert row.secret_hash == hash_secret(token) and row.allowed_networks == ["127.0.0.0/8"]
    assert AuditEvent.objects.filter(action="api_token.create").exists()
    again = client.get(reverse("api_token_list"))
    assert token.encode() not in again.content and row.visible_id.encode() in again.content
    assert api_client(token).get(reverse("api:member-list")).status_code == 200


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"days": 366}, "days"),
        ({"days": 0}, "days"),
        ({"days": "9" * 30}, "days"),
        ({"networks": "not-an-address"}, "networks"),
        ({"name": "  "}, "name"),
        ({"access": "admin"}, "access"),
        ({"team": "999999999999999999999"}, "team"),
    ],
)
def test_bad_values_are_shown_next_to_their_field(client_for, alice, team, extra, field):
    page = client_for(alice).post(reverse("api_token_create"), {**form(team), **extra})
    assert page.status_code == 400 and field in page.context["form"].errors
    assert not ApiToken.objects.exists()


def test_another_teams_token_cannot_be_made(client_for, alice, team, other_team):
    page = client_for(alice).post(reverse("api_token_create"), form(other_team))
    assert page.status_code == 400 and "team" in page.context["form"].errors


def test_making_a_token_needs_a_fresh_authentication(alice, team, client_for):
    client = client_for(alice)
    age_authentication(client, 11)
    response = client.post(reverse("api_token_create"), form(team))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not ApiToken.objects.exists()


def test_revoke(client_for, alice, team, charlie, other_team):
    row, token = ApiToken.issue(team=team, user=alice, name="t", access="read", days=1, networks=[])
    # somebody else cannot revoke it
    assert client_for(charlie).post(reverse("api_token_revoke", args=[row.pk])).status_code == 404
    client_for(alice).post(reverse("api_token_revoke", args=[row.pk]))
    row.refresh_from_db()
    assert row.is_revoked
    assert api_client(token).get(reverse("api:member-list")).status_code == 401

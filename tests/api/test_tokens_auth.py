"""Bearer tokens: shown once, stored hashed, and never worth more than the creator's live role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sites_app.models import ApiToken, AuditEvent, Membership, Role
from tests.api.conftest import api_client, make_token

pytestmark = pytest.mark.django_db
SITES = reverse("api:site-list")
MEMBERS = reverse("api:member-list")


def problem(response) -> dict:
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    return response.json()


def test_the_token_is_stored_only_as_its_hash(alice, team):
    row, token = make_token(alice, team)
    assert token.startswith(f"gsp_{row.key_id}_") and len(token) > 40
    stored = ApiToken.objects.get(pk=row.pk)
    assert token not in {stored.secret_hash, stored.key_id, stored.name}
    assert api_client(token).get(MEMBERS).status_code == 200


@pytest.mark.parametrize(
    "header",
    ["Bearer nonsense", "Bearer gsp_deadbeef_wrong", "Bearer a b", "Token gsp_x_y", "Bearer"],
)
def test_a_bad_or_missing_token_is_a_401_problem(header, alice, team):
    make_token(alice, team)
    client = api_client()
    response = client.get(MEMBERS, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert problem(response)["status"] == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_no_header_at_all_is_401_not_a_sign_in_redirect(team):
    response = api_client().get(SITES)
    assert response.status_code == 401
    assert "Authorization" in problem(response)["detail"]


def test_an_expired_or_revoked_token_stops_working(alice, team):
    row, token = make_token(alice, team)
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api_client(token).get(MEMBERS)
    assert response.status_code == 401 and "expired" in problem(response)["detail"]
    row2, token2 = make_token(alice, team)
    ApiToken.objects.filter(pk=row2.pk).update(revoked_at=timezone.now())
    response = api_client(token2).get(MEMBERS)
    assert response.status_code == 401 and "revoked" in problem(response)["detail"]


def test_the_address_allow_list(alice, team):
    _row, token = make_token(alice, team, networks=["10.1.0.0/16", "2001:db8::/32"])
    assert api_client(token, REMOTE_ADDR="10.1.2.3").get(MEMBERS).status_code == 200
    refused = api_client(token, REMOTE_ADDR="127.0.0.1").get(MEMBERS)
    assert refused.status_code == 401
    assert "not allowed from 127.0.0.1" in problem(refused)["detail"]


def test_last_use_time_and_address_are_recorded(alice, team):
    row, token = make_token(alice, team)
    api_client(token, REMOTE_ADDR="127.0.0.9").get(MEMBERS)
    row.refresh_from_db()
    assert row.last_used_ip == "127.0.0.9" and row.last_used_at is not None


def test_a_token_loses_its_rights_with_its_creator(team, member, alice):
    billing = member(Role.BILLING)
    _row, token = make_token(billing, team)
    client = api_client(token)
    assert client.get(MEMBERS).status_code == 200
    # Role lowered to viewer: writes refused at once, with the role's words.
    Membership.objects.filter(user=billing).update(role=Role.VIEWER)
    response = client.post(SITES, {}, format="json")
    assert response.status_code == 403 and "Viewer" in problem(response)["detail"]
    # Deactivated: nothing.
    billing.is_active = False
    billing.save()
    assert client.get(MEMBERS).status_code == 401
    billing.is_active = True
    billing.save()
    # Removed from the team: nothing.
    Membership.objects.filter(user=billing).delete()
    response = client.get(MEMBERS)
    assert response.status_code == 401 and "no longer a member" in problem(response)["detail"]


def test_a_read_only_token_cannot_write_even_for_an_owner(alice, team):
    _row, token = make_token(alice, team, ApiToken.Access.READ)
    response = api_client(token).post(SITES, {}, format="json")
    assert response.status_code == 403
    assert "read-only" in problem(response)["detail"]


def test_a_team_requiring_mfa_refuses_tokens_of_members_without_it(alice, team):
    _row, token = make_token(alice, team)
    team.require_mfa = True
    team.save()
    response = api_client(token).get(MEMBERS)
    assert response.status_code == 401 and "two-factor" in problem(response)["detail"]


def test_every_use_of_a_write_token_is_audited_with_its_name(alice, team):
    _row, token = make_token(alice, team, name="deploy bot")
    api_client(token).post(SITES, {"name": 3}, format="json")
    event = AuditEvent.objects.get(action="api.write")
    assert event.detail["token"] == "deploy bot"
    assert event.detail["status"] == 400 and event.actor == alice
    assert event.outcome == AuditEvent.Outcome.FAILURE
    # reads are not audited
    api_client(token).get(MEMBERS)
    assert AuditEvent.objects.filter(action="api.write").count() == 1


def test_session_cookies_do_not_open_the_resources(client_for, alice, team):
    client = client_for(alice)
    response = client.get(SITES)
    assert response.status_code == 401
    # ...but the schema and its docs page are for signed-in people.
    assert client.get(reverse("api:schema")).status_code == 200

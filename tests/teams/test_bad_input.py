"""Bad or crafted input to the team pages gets a message or a 404, never a 500."""

import pytest
from django.test import Client
from django.urls import reverse

from sites_app.models import GandiAccount, Invitation, Membership, Team

LONG = "x" * 5000


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("team_create", {"name": LONG}),
        ("team_rename", {"name": ""}),
        ("invitations", {"email": "a@b.c", "role": "emperor"}),
        ("invitations", {"email": "\x00@example.com", "role": "viewer"}),
        ("gandi_account_create", {"name": "A", "endpoint": "moon", "api_key": "abcdefghij"}),
        (
            "gandi_account_create",
            {"name": LONG, "endpoint": "custom", "custom_url": "ftp://x", "api_key": "a b"},
        ),
        (
            "gandi_account_create",
            {"name": "A", "endpoint": "custom", "custom_url": "http://[::1", "api_key": LONG},
        ),
        ("profile", {"email": LONG}),
    ],
)
def test_crafted_forms_get_messages_not_500s(alice, client_for, name, data):
    response = client_for(alice).post(reverse(name), data)
    assert response.status_code in (200, 302)
    assert Team.objects.count() == 1
    assert not Invitation.objects.exists() and not GandiAccount.objects.exists()


def test_a_custom_url_without_scheme_is_refused_or_made_https(alice, client_for):
    data = {"name": "A", "endpoint": "custom", "custom_url": "not a url", "api_key": "abcdefghij"}
    response = client_for(alice).post(reverse("gandi_account_create"), data)
    assert "is-invalid" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/team/members/99999999/role/",
        "/team/members/99999999999999999999999/remove/",
        "/team/invitations/0/revoke/",
        "/gandi-accounts/99999999999999999999/",
        "/gandi-accounts/1/test/",
    ],
)
def test_unknown_ids_are_404s(alice, client_for, path):
    assert client_for(alice).post(path).status_code == 404


@pytest.mark.parametrize("token", ["x", LONG[:2000], "%00", "..%2F..%2Fadmin"])
def test_odd_invitation_tokens_are_404s(db, token):
    assert Client().get(f"/invitations/{token}/").status_code == 404


def test_a_team_id_of_another_team_in_the_switcher_is_a_404(alice, other_team, client_for):
    response = client_for(alice).post(reverse("switch_team"), {"team": other_team.pk})
    assert response.status_code == 404
    assert not Membership.objects.filter(user=alice, team=other_team).exists()

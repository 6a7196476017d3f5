"""Invitations: single use, expiring, bound to the invited address, revocable."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sites_app.models import AuditEvent, Invitation, Membership, Role
from tests.fixtures.personas import make_user

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"


def invite(client, email="dana@example.com", role=Role.OPERATOR) -> str:
    """Send an invitation through the page; return the link the inviter is shown."""
    response = client.post(reverse("invitations"), {"email": email, "role": role}, follow=True)
    html = response.content.decode()
    found = re.search(r'value="(http://testserver/invitations/[^"]+/)"', html)
    assert found, html
    return found.group(1).removeprefix("http://testserver")


def test_an_owner_invites_by_email_and_sees_the_link(alice, client_for):
    link = invite(client_for(alice))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dana@example.com"]
    assert link in mail.outbox[0].body
    assert "Acme Web" in mail.outbox[0].subject
    # The link is shown once; the database holds only its hash.
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash=token).exists()
    page = client_for(alice).get(reverse("invitations")).content.decode()
    assert "dana@example.com" in page and token not in page


def test_the_link_shows_the_team_before_accepting(alice, client_for):
    link = invite(client_for(alice))
    html = Client().get(link).content.decode()
    assert "Join the team Acme Web" in html
    assert "Operator" in html and "dana@example.com" in html
    assert not Membership.objects.filter(user__email="dana@example.com").exists()


def test_a_newcomer_creates_an_account_with_the_invited_email_and_joins(alice, client_for):
    link = invite(client_for(alice))
    newcomer = Client()
    response = newcomer.post(
        link,
        {"username": "dana", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    dana = get_user_model().objects.get(username="dana")
    assert dana.email == "dana@example.com"
    assert Membership.objects.get(user=dana).role == Role.OPERATOR
    assert "Welcome to Acme Web" in response.content.decode()
    assert AuditEvent.objects.filter(action="invitation.accept", actor=dana).exists()


def test_a_bad_signup_keeps_what_was_typed(alice, client_for):
    link = invite(client_for(alice))
    response = Client().post(
        link, {"username": "dana", "password1": NEW_PASSWORD, "password2": "different"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="dana"' in html and "is-invalid" in html
    assert not get_user_model().objects.filter(username="dana").exists()


def test_a_person_with_an_account_signs_in_and_accepts(alice, client_for):
    link = invite(client_for(alice), email="Erin@Example.com", role=Role.BILLING)
    erin = make_user("erin")  # email erin@example.com: the match ignores case
    client = client_for(erin)
    assert "Accept and join Acme Web" in client.get(link).content.decode()
    client.post(link)
    assert Membership.objects.get(user=erin).role == Role.BILLING


def test_a_signed_out_person_with_an_account_is_offered_to_sign_in(alice, client_for):
    make_user("dana")
    link = invite(client_for(alice))
    html = Client().get(link).content.decode()
    assert "Sign in to accept" in html
    assert "already exists" in html


def test_a_link_works_only_once(alice, client_for):
    link = invite(client_for(alice), email="erin@example.com")
    erin = make_user("erin")
    client_for(erin).post(link)
    again = client_for(erin).post(link)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    stranger = Client().get(link)
    assert stranger.status_code == 410


def test_an_expired_link_is_refused(alice, client_for):
    link = invite(client_for(alice), email="erin@example.com")
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    erin = make_user("erin")
    response = client_for(erin).post(link)
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Membership.objects.filter(user=erin).exists()


def test_an_invitation_expires_after_the_configured_days(alice, client_for, settings):
    settings.INVITATION_DAYS = 7
    invite(client_for(alice))
    invitation = Invitation.objects.get()
    lifetime = invitation.expires_at - invitation.created_at
    assert timedelta(days=7) - timedelta(seconds=5) < lifetime <= timedelta(days=7)


def test_the_wrong_address_gets_a_clear_refusal(alice, member, client_for):
    link = invite(client_for(alice), email="dana@example.com")
    someone_else = make_user("frank")
    response = client_for(someone_else).post(link)
    assert response.status_code == 403
    html = response.content.decode()
    assert "This invitation is for <strong>dana@example.com</strong>" in html
    assert not Membership.objects.filter(user=someone_else).exists()
    # ...and the link still works for dana afterwards.
    assert Invitation.objects.get().is_pending


def test_a_revoked_link_is_refused(alice, client_for):
    client = client_for(alice)
    link = invite(client, email="erin@example.com")
    invitation = Invitation.objects.get()
    client.post(reverse("invitation_revoke", args=[invitation.pk]))
    erin = make_user("erin")
    response = client_for(erin).post(link)
    assert response.status_code == 410
    assert "revoked" in response.content.decode()
    assert AuditEvent.objects.filter(action="invitation.revoke").exists()


def test_a_made_up_link_is_not_found(db):
    response = Client().get(reverse("invitation_accept", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_pending_invitations_are_listed(alice, client_for):
    client = client_for(alice)
    invite(client, email="one@example.com")
    invite(client, email="two@example.com")
    html = client.get(reverse("invitations")).content.decode()
    assert "one@example.com" in html and "two@example.com" in html


def test_an_admin_is_not_offered_the_owner_role_nor_can_craft_it(member, alice, client_for):
    admin = client_for(member(Role.ADMIN))
    html = admin.get(reverse("invitations")).content.decode()
    assert 'value="owner"' not in html
    response = admin.post(reverse("invitations"), {"email": "x@example.com", "role": "owner"})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not Invitation.objects.exists()


def test_inviting_a_member_again_is_refused_with_a_message(alice, member, client_for):
    viewer = member(Role.VIEWER)
    response = client_for(alice).post(
        reverse("invitations"), {"email": viewer.email, "role": Role.ADMIN}
    )
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b@c", "x" * 300 + "@example.com"])
def test_bad_addresses_are_refused_next_to_the_field(alice, client_for, email):
    response = client_for(alice).post(reverse("invitations"), {"email": email, "role": "viewer"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html and "invalid-feedback" in html
    assert not Invitation.objects.exists()


def test_the_audit_log_records_the_invitation_lifecycle(alice, client_for):
    client = client_for(alice)
    link = invite(client, email="erin@example.com")
    client_for(make_user("erin")).post(link)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"invitation.send", "invitation.accept"} <= actions


def test_signing_out_from_the_wrong_account_comes_back_to_the_invitation(alice, client_for):
    link = invite(client_for(alice), email="dana@example.com")
    frank = client_for(make_user("frank"))
    page = frank.get(link).content.decode()
    assert f'<input type="hidden" name="next" value="{link}">' in page
    response = frank.post(reverse("logout"), {"next": link})
    assert response["Location"] == link
    assert "Create an account" in frank.get(link).content.decode()

"""Changing one's email address needs the current password, an address nobody else has, and
the link sent to the new address: invitations are bound to addresses, so neither a
taken-over session nor a person without the mailbox can move one."""

import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from sites_app.models import AuditEvent
from tests.fixtures.personas import PASSWORD


def save_profile(client, **data):
    return client.post(reverse("profile"), {"first_name": "", "last_name": "", **data})


def test_a_new_email_needs_the_current_password(alice, client_for):
    old = alice.email
    response = save_profile(client_for(alice), email="new@example.com")
    assert response.status_code == 200
    assert "Enter your current password to change your email address" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == old


def test_a_wrong_password_does_not_change_the_email(alice, client_for):
    old = alice.email
    response = save_profile(
        client_for(alice), email="new@example.com", current_password="not my password"
    )
    assert "Your current password is not correct" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == old


def confirmation_link(message) -> str:
    return re.search(r"http://testserver(/accounts/confirm-email/\S+/)", message.body).group(1)


def test_a_new_email_takes_effect_only_once_its_link_is_opened(alice, client_for):
    old = alice.email
    client = client_for(alice)
    response = save_profile(client, email="New@Example.com", current_password=PASSWORD)
    assert response.status_code == 302
    page = client.get(reverse("profile")).content.decode()
    assert "We sent a link to new@example.com" in page
    assert "Waiting for confirmation: new@example.com" in page
    alice.refresh_from_db()
    assert alice.email == old  # not yet
    assert [m.to for m in mail.outbox] == [["new@example.com"]]

    link = confirmation_link(mail.outbox[0])
    assert client.get(link).status_code == 200  # a page with a button, not a change on GET
    client.post(link)
    alice.refresh_from_db()
    assert alice.email == "new@example.com"
    event = AuditEvent.objects.get(action="profile.email_change")
    assert event.actor == alice
    assert event.detail == {"new_email": "new@example.com"} or event.detail == {
        "old_email": old,
        "new_email": "new@example.com",
    }
    assert PASSWORD not in str(AuditEvent.objects.values_list("detail", flat=True))


def test_an_invited_address_cannot_be_claimed_without_its_mailbox(alice, charlie, client_for):
    from sites_app.services import teams

    owner = alice.memberships.get()
    _, token = teams.invite(
        owner.team, email="invited@example.com", role="admin", actor_membership=owner
    )
    client = client_for(charlie)
    save_profile(client, email="invited@example.com", current_password=PASSWORD)
    page = client.get(reverse("invitation_accept", args=[token]))
    assert page.status_code == 403  # still charlie@example.com: the link went to the mailbox
    charlie.refresh_from_db()
    assert charlie.email == "charlie@example.com"


def test_the_confirmation_link_is_not_written_to_the_log(alice, client_for, caplog):
    caplog.set_level("DEBUG")
    save_profile(client_for(alice), email="new@example.com", current_password=PASSWORD)
    link = confirmation_link(mail.outbox[0])
    assert link.split("/")[-2] not in caplog.text


def test_an_address_someone_else_has_is_refused_whatever_its_case(alice, charlie, client_for):
    response = save_profile(
        client_for(alice), email=charlie.email.upper(), current_password=PASSWORD
    )
    assert "Another person already uses this email address" in response.content.decode()
    alice.refresh_from_db()
    assert alice.email != charlie.email


def test_the_name_changes_without_the_password(alice, client_for):
    response = save_profile(client_for(alice), first_name="Alicia", email=alice.email.upper())
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.first_name == "Alicia"
    assert not AuditEvent.objects.filter(action="profile.email_change").exists()
    assert get_user_model().objects.filter(email__iexact=alice.email).count() == 1

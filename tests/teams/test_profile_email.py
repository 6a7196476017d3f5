"""Changing one's email address needs the current password and an address nobody else has:
invitations are bound to addresses, so a taken-over session must not be able to move one."""

from django.contrib.auth import get_user_model
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


def test_with_the_password_the_email_changes_and_is_audited(alice, client_for):
    old = alice.email
    response = save_profile(client_for(alice), email="New@Example.com", current_password=PASSWORD)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.email == "new@example.com"
    event = AuditEvent.objects.get(action="profile.email_change")
    assert event.actor == alice
    assert event.detail == {"old_email": old, "new_email": "new@example.com"}
    assert PASSWORD not in str(AuditEvent.objects.values_list("detail", flat=True))


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

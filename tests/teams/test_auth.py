"""Signing in and out, throttling, password change and reset, the profile page."""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from sites_app.models import AuditEvent
from tests.fixtures.personas import PASSWORD


def sign_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_signing_in_and_failing_are_audited(alice):
    sign_in(Client(), "alice", "wrong password")
    assert sign_in(Client(), "alice", PASSWORD).status_code == 302
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.actor_label == "alice" and failed.outcome == "failure"
    assert "wrong password" not in str(failed.detail)
    assert AuditEvent.objects.filter(action="auth.login", actor=alice).exists()


def test_a_failed_sign_in_keeps_the_username(alice):
    html = sign_in(Client(), "alice", "nope").content.decode()
    assert 'value="alice"' in html
    assert "nope" not in html


def test_repeated_failures_lock_sign_in_with_a_clear_message(alice, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice", "wrong password")
    locked = sign_in(client, "alice", PASSWORD)  # even the right password, for a while
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Too many failed sign-in attempts" in html
    assert "about 15 minutes" in html
    assert "_auth_user_id" not in client.session


def test_signing_out_is_audited(alice, client_for):
    client = client_for(alice)
    client.post(reverse("logout"))
    assert AuditEvent.objects.filter(action="auth.logout", actor=alice).exists()
    assert client.get(reverse("dashboard")).status_code == 302


def test_pages_need_a_signed_in_person(db):
    response = Client().get(reverse("password_change"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_person_changes_their_password(alice, client_for):
    client = client_for(alice)
    new = "another-long-passphrase-77"
    data = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    response = client.post(reverse("password_change"), data, follow=True)
    assert "Your password is changed" in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(new)
    event = AuditEvent.objects.get(action="auth.password_change")
    assert event.actor == alice
    assert new not in str(event.detail) and PASSWORD not in str(event.detail)
    # The person is told by mail, with where it came from, never with the password.
    notice = mail.outbox[-1]
    assert notice.to == ["alice@example.com"] and "Password Changed" in notice.subject
    assert new not in notice.body


def test_a_forgotten_password_is_reset_by_email(alice):
    client = Client()
    client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new = "brand-new-passphrase-99"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "Your new password is set" in done.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(new)
    assert AuditEvent.objects.get(action="auth.password_reset").actor == alice


def test_an_unknown_address_gets_the_same_answer_and_no_email(db):
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_the_profile_page_saves_name_and_email(alice, client_for):
    client = client_for(alice)
    data = {"first_name": "Alice", "last_name": "L", "email": "A@X.org"}
    client.post(reverse("profile"), {**data, "current_password": PASSWORD})
    alice.refresh_from_db()
    # The name at once; the address once the link sent to it is opened (test_profile_email).
    assert (alice.first_name, alice.email) == ("Alice", "alice@example.com")
    assert mail.outbox[0].to == ["a@x.org"]


def test_a_bad_email_on_the_profile_is_shown_next_to_the_field(alice, client_for):
    response = client_for(alice).post(
        reverse("profile"), {"first_name": "Alicia", "last_name": "", "email": "not-an-email"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in html and 'value="Alicia"' in html

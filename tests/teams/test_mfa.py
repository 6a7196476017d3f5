"""Two-factor authentication (django-allauth): enrolling an authenticator app, signing in with
it or a recovery code, audit events, and a team that requires it."""

import re
import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from sites_app.models import AuditEvent, Role
from tests.fixtures.personas import PASSWORD
from tests.fixtures.totp import totp_code

# allauth sends its MFA signals (our audit events) and notification mails on commit.
pytestmark = pytest.mark.django_db(transaction=True)


def enrol_totp(client: Client) -> str:
    """Through the pages, as a person would: the secret shown, a code from it. -> the secret."""
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page).group(1)
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()
    return secret


def test_the_code_that_enrolled_the_app_cannot_also_sign_in(alice, client_for):
    client = client_for(alice)
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', page).group(1)
    code = totp_code(secret)
    assert client.post(reverse("mfa_activate_totp"), {"code": code}).status_code == 302
    signing_in, _ = start_sign_in()
    refused = signing_in.post(reverse("mfa_authenticate"), {"code": code})
    assert "Incorrect code" in refused.content.decode()
    assert "_auth_user_id" not in signing_in.session  # ASVS 2.8.4: a code is used once


def test_a_code_used_again_is_refused_audited_and_mailed_to_the_person(alice, client_for, settings):
    settings.MFA_TOTP_TOLERANCE = 1  # a neighbouring period counts, as for a clock a bit off
    secret = enrol_totp(client_for(alice))
    code = totp_code(secret, time.time() + 30)  # the next period's: this one's enrolled the app
    client, _ = start_sign_in()
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert client.session["_auth_user_id"] == str(alice.pk)
    mail.outbox.clear()

    replay, _ = start_sign_in()  # someone who saw the code typed, and knows the password
    refused = replay.post(reverse("mfa_authenticate"), {"code": code})
    assert "Incorrect code" in refused.content.decode()
    assert "_auth_user_id" not in replay.session
    assert AuditEvent.objects.filter(
        action="auth.mfa_code_reused", actor=alice, outcome="failure"
    ).exists()
    [told] = mail.outbox
    assert told.to == [alice.email] and "used authenticator code" in told.subject
    assert "was entered again" in told.body and "change your password" in told.body

    replay.post(reverse("mfa_authenticate"), {"code": "000000"})  # merely wrong: no alarm
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="auth.mfa_code_reused").count() == 1


def recovery_codes(client: Client) -> list[str]:
    page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    return re.findall(r"\b[0-9a-f]{8}\b", page)


def start_sign_in(username: str = "alice") -> tuple[Client, object]:
    client = Client()
    return client, client.post(reverse("login"), {"login": username, "password": PASSWORD})


def test_enrolling_an_authenticator_app_is_audited_and_shown_to_the_team(alice, client_for):
    client = client_for(alice)
    enrol_totp(client)
    assert AuditEvent.objects.filter(
        action="auth.mfa_enrol", actor=alice, detail__factor="authenticator app"
    ).exists()
    row = re.search(
        r'data-member="alice".*?</tr>', client.get(reverse("team_detail")).content.decode(), re.S
    ).group(0)
    assert 'data-testid="mfa"><span class="badge text-bg-success">on' in row
    assert "Added a second factor" in client.get(reverse("audit_log")).content.decode()
    # The person is told by mail too (a stolen session adding its own factor gets noticed).
    assert any("Authenticator App Activated" in m.subject for m in mail.outbox)


def test_signing_in_asks_for_the_code_after_the_password(alice, client_for, settings):
    settings.MFA_TOTP_TOLERANCE = 1  # a neighbouring period counts, as for a clock a bit off
    secret = enrol_totp(client_for(alice))
    client, response = start_sign_in()
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # the password alone is not enough
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "Incorrect code" in wrong.content.decode() and "_auth_user_id" not in client.session
    code = totp_code(secret, time.time() + 30)  # the next period's: this one's enrolled the app
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert client.session["_auth_user_id"] == str(alice.pk)
    # The same code cannot be used twice (ASVS 2.8.4).
    replay, _ = start_sign_in()
    replay.post(reverse("mfa_authenticate"), {"code": code})
    assert "_auth_user_id" not in replay.session


def test_a_recovery_code_signs_in_once_and_is_audited(alice, client_for):
    setup = client_for(alice)
    enrol_totp(setup)
    codes = recovery_codes(setup)
    assert len(codes) == 10
    client, _ = start_sign_in()
    client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert AuditEvent.objects.filter(action="auth.recovery_code_used", actor=alice).exists()
    again, _ = start_sign_in()
    again.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert "_auth_user_id" not in again.session


def test_removing_the_authenticator_app_is_audited(alice, client_for):
    client = client_for(alice)
    enrol_totp(client)
    client.post(reverse("mfa_deactivate_totp"))
    assert AuditEvent.objects.filter(action="auth.mfa_remove", actor=alice).exists()


def test_a_team_requiring_mfa_sends_a_member_to_enrol_first(alice, member, client_for):
    viewer = member(Role.VIEWER)
    owner = client_for(alice)
    owner.post(reverse("team_require_mfa"), {"require_mfa": "on"})
    page = owner.get(reverse("team_detail")).content.decode()
    assert "Add an authenticator app or a security key to your own account first" in page
    enrol_totp(owner)
    owner.post(reverse("team_require_mfa"), {"require_mfa": "on"})
    assert AuditEvent.objects.get(action="team.require_mfa").detail == {"on": True}

    client = client_for(viewer)
    for name in ("dashboard", "site_list", "team_detail", "audit_log"):
        response = client.get(reverse(name))
        assert response["Location"] == reverse("mfa_index"), name
    page = client.get(reverse("mfa_index")).content.decode()
    assert "Acme Web requires two-factor authentication" in page
    enrol_totp(client)
    assert client.get(reverse("site_list")).status_code == 200


def test_htmx_fragments_of_a_team_requiring_mfa_redirect_the_whole_page(alice, member, client_for):
    alice.memberships.update()
    team = alice.memberships.get().team
    team.require_mfa = True
    team.save()
    client = client_for(member(Role.VIEWER))
    response = client.get(reverse("dashboard_operations"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("mfa_index")


def test_only_an_owner_may_require_mfa(alice, member, client_for):
    admin = client_for(member(Role.ADMIN))
    assert admin.post(reverse("team_require_mfa"), {"require_mfa": "on"}).status_code == 403
    alice.refresh_from_db()
    assert not alice.memberships.get().team.require_mfa
    assert 'id="id_require_mfa"' not in admin.get(reverse("team_detail")).content.decode()
    assert 'id="id_require_mfa"' in client_for(alice).get(reverse("team_detail")).content.decode()


def test_the_admin_signs_in_through_the_portals_sign_in(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_password_reset_does_not_remove_the_second_factor(alice, client_for):
    enrol_totp(client_for(alice))
    client = Client()
    client.post(reverse("password_reset"), {"email": "alice@example.com"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    new = "brand-new-passphrase-99"
    data = {"new_password1": new, "new_password2": new}
    client.post(form_page.redirect_chain[-1][0], data)
    response = Client().post(reverse("login"), {"login": "alice", "password": new})
    assert response["Location"] == reverse("mfa_authenticate")

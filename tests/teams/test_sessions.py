"""Sessions end 30 minutes after their last use and 12 hours after signing in (ASVS 3.3);
people see their active sessions and can sign out everywhere else; passwords have at least
12 characters."""

import time

from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from sites_app.services import session_limits
from tests.fixtures.personas import PASSWORD


def sign_in(user_agent: str = "Firefox on a laptop", address: str = "192.0.2.1") -> Client:
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"login": "alice", "password": PASSWORD})
    assert response.status_code == 302
    return client


def seen_key(client: Client) -> str:
    return f"session-seen:{client.session[session_limits.SESSION_ID_KEY]}"


def test_a_session_unused_for_30_minutes_ends(alice, settings):
    assert settings.SESSION_IDLE_MINUTES == 30
    client = sign_in()
    cache.set(seen_key(client), time.time() - 31 * 60)
    response = client.get(reverse("dashboard"), follow=True)
    assert "You were signed out after a while without activity" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_using_the_portal_keeps_the_session(alice):
    client = sign_in()
    cache.set(seen_key(client), time.time() - 29 * 60)
    assert client.get(reverse("dashboard")).status_code == 200
    assert time.time() - cache.get(seen_key(client)) < 60


def test_a_page_polling_by_itself_does_not_count_as_use(alice):
    client = sign_in()
    before = time.time() - 20 * 60
    cache.set(seen_key(client), before)
    client.get(reverse("dashboard_operations"), HTTP_HX_REQUEST="true")
    assert cache.get(seen_key(client)) == before


def test_a_session_ends_12_hours_after_signing_in_whatever_the_use(alice, settings):
    assert settings.SESSION_ABSOLUTE_HOURS == 12
    client = sign_in()
    session = client.session
    session[session_limits.SIGNED_IN_AT_KEY] = time.time() - 12 * 3600 - 60
    session.save()
    response = client.get(reverse("dashboard"), follow=True)
    assert "Your session has ended" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_of_an_ended_session_sends_the_page_to_sign_in(alice):
    client = sign_in()
    cache.delete(seen_key(client))
    response = client.get(reverse("dashboard_operations"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_the_sessions_page_lists_devices_and_signs_out_everywhere_else(alice):
    laptop = sign_in("Firefox on a laptop", "192.0.2.1")
    phone = sign_in("Safari on a phone", "198.51.100.2")
    page = laptop.get(reverse("usersessions_list")).content.decode()
    assert "Firefox on a laptop" in page and "Safari on a phone" in page
    assert "192.0.2.1" in page and "198.51.100.2" in page
    assert "this browser" in page and "Last seen" in page
    laptop.post(reverse("usersessions_list"))
    assert phone.get(reverse("dashboard")).status_code == 302  # signed out
    assert laptop.get(reverse("dashboard")).status_code == 200
    assert "Safari on a phone" not in laptop.get(reverse("usersessions_list")).content.decode()


def test_passwords_need_12_characters(alice, client_for):
    client = client_for(alice)
    short = "Tr0ub4dor&3"  # 11 characters
    data = {"old_password": PASSWORD, "new_password1": short, "new_password2": short}
    page = client.post(reverse("password_change"), data).content.decode()
    assert "at least 12 characters" in page
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_common_and_similar_passwords_are_refused(alice, client_for):
    client = client_for(alice)
    for bad, message in (("password1234", "too common"), ("alice@example.com", "too similar")):
        data = {"old_password": PASSWORD, "new_password1": bad, "new_password2": bad}
        assert message in client.post(reverse("password_change"), data).content.decode()


def test_changing_the_password_signs_out_the_other_sessions(alice):
    laptop = sign_in("Firefox on a laptop", "192.0.2.1")
    phone = sign_in("Safari on a phone", "198.51.100.2")
    new = "another-long-passphrase-77"
    data = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    laptop.post(reverse("password_change"), data)
    assert laptop.get(reverse("dashboard")).status_code == 200
    assert phone.get(reverse("dashboard")).status_code == 302


def test_the_sessions_page_states_the_limits_in_force(alice, settings):
    settings.SESSION_IDLE_MINUTES = 15
    page = sign_in().get(reverse("usersessions_list")).content.decode()
    assert "A session ends 15 minutes after its last use and at most 12 hours" in page

"""Sign-in throttling per (user name, address) pair, per account and per address (django-axes),
and rate limits on password reset mails, invitation sign-ups and the profile's password check."""

from django.core import mail
from django.test import Client
from django.urls import reverse

from sites_app.models import AuditEvent
from tests.fixtures.personas import PASSWORD, make_user


def sign_in(username: str, password: str, address: str):
    client = Client(REMOTE_ADDR=address)
    return client, client.post(reverse("login"), {"login": username, "password": password})


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_from_another_address_is_refused_while_the_account_is_locked(
    alice, settings
):
    # 2 guesses from each of 10 addresses: no pair reaches its limit of 5, the account does.
    assert settings.AXES_ACCOUNT_FAILURE_LIMIT == 20
    for n in range(20):
        sign_in("alice", f"guess {n}", f"10.0.0.{n % 10 + 1}")
    client, response = sign_in("alice", PASSWORD, "192.0.2.77")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "for this account or from your address" in response.content.decode()
    assert not is_signed_in(client)


def test_fifty_guesses_over_ten_addresses_lock_the_account(alice, client_for):
    answers = [sign_in("alice", f"guess {n}", f"10.1.0.{n % 10 + 1}")[1] for n in range(50)]
    assert [r.status_code for r in answers[20:]] == [429] * 30  # refused without a check
    # alice (an owner) sees it in her team's audit log, once, with the reason.
    events = AuditEvent.objects.filter(action="auth.locked_out")
    assert events.count() == 1
    assert events.get().actor_label == "alice"
    assert events.get().detail["reason"] == "20 failed sign-ins for this account"
    page = client_for(alice).get(reverse("audit_log")).content.decode()
    assert "Sign-in locked after failures" in page


def test_failures_over_many_user_names_from_one_address_lock_the_address(alice, settings):
    for n in range(160):  # 4 guesses on each of 40 user names: no pair, no account reaches 5
        sign_in(f"name{n % 40}", "guess", "198.51.100.9")
    client, response = sign_in("alice", PASSWORD, "198.51.100.9")
    assert response.status_code == 429 and not is_signed_in(client)
    elsewhere, response = sign_in("alice", PASSWORD, "198.51.100.10")
    assert response.status_code == 302 and is_signed_in(elsewhere)
    reasons = AuditEvent.objects.filter(action="auth.locked_out").values_list("detail", flat=True)
    assert any("this address" in detail["reason"] for detail in reasons)


def test_signing_in_to_ones_own_account_does_not_wipe_an_addresss_count(alice, team):
    make_user("mallory")
    for n in range(99):
        sign_in(f"name{n % 40}", "guess", "198.51.100.20")
        if n % 20 == 0:  # an attacker's own successful sign-ins in between
            sign_in("mallory", PASSWORD, "198.51.100.20")
    sign_in("name99", "guess", "198.51.100.20")
    _, response = sign_in("alice", PASSWORD, "198.51.100.20")
    assert response.status_code == 429


def test_a_success_clears_the_pairs_count(alice):
    for _ in range(4):
        sign_in("alice", "typo", "10.2.0.1")
    client, _ = sign_in("alice", PASSWORD, "10.2.0.1")
    assert is_signed_in(client)
    for _ in range(4):
        sign_in("alice", "typo", "10.2.0.1")
    client, _ = sign_in("alice", PASSWORD, "10.2.0.1")
    assert is_signed_in(client)


def test_password_reset_mails_are_rate_limited_without_telling_who_exists(alice):
    client = Client(REMOTE_ADDR="203.0.113.5")
    answers = [
        client.post(reverse("password_reset"), {"email": "alice@example.com"}) for _ in range(35)
    ]
    assert len(mail.outbox) == 3  # per target address: 3 an hour
    refused = [r for r in answers if r.status_code == 429]
    assert len(refused) == 32
    message = "Too many password reset requests from your address or for this email address"
    assert message in refused[0].content.decode()
    # An unknown address gets the very same answer once the requester's address is limited.
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert unknown.status_code == 429 and message in unknown.content.decode()
    assert "nobody@example.com" not in str(AuditEvent.objects.values_list("detail", flat=True))


def test_password_resets_from_one_address_are_limited_over_many_targets(db):
    client = Client(REMOTE_ADDR="203.0.113.6")
    codes = [
        client.post(reverse("password_reset"), {"email": f"p{n}@example.com"}).status_code
        for n in range(12)
    ]
    assert codes == [302] * 10 + [429] * 2


def test_invitation_sign_ups_are_rate_limited_per_address(alice):
    from sites_app.services import teams

    owner = alice.memberships.get()
    codes = []
    for n in range(11):
        _, token = teams.invite(
            owner.team, email=f"new{n}@example.com", role="viewer", actor_membership=owner
        )
        data = {
            "username": f"new{n}",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        }
        client = Client(REMOTE_ADDR="203.0.113.7")
        codes.append(client.post(reverse("invitation_accept", args=[token]), data).status_code)
    assert codes[:10] == [302] * 10
    assert codes[10] == 200
    page = client.post(reverse("invitation_accept", args=[token]), data).content.decode()
    assert "Too many sign-ups from your address" in page


def test_the_profiles_password_check_is_rate_limited(alice, client_for):
    client = client_for(alice)
    for _ in range(10):
        client.post(
            reverse("profile"),
            {"first_name": "", "last_name": "", "email": "x@example.com", "current_password": "no"},
        )
    response = client.post(
        reverse("profile"),
        {"first_name": "", "last_name": "", "email": "x@example.com", "current_password": PASSWORD},
    )
    assert "Too many password checks on this page" in response.content.decode()
    assert mail.outbox == []  # even the right password is not checked while refused

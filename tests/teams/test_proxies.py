"""Behind reverse proxies (TRUSTED_PROXY_COUNT), the audit log and sign-in throttling see the
person's address, taken from X-Forwarded-For, not the proxy's; without proxies the header is
ignored, since anyone can send it."""

import pytest
from django.test import Client
from django.urls import reverse

from sites_app.models import AuditEvent
from tests.fixtures.personas import PASSWORD

PROXY = "10.0.0.2"


def sign_in(password: str, *, forwarded_for: str | None = None):
    headers = {"REMOTE_ADDR": PROXY}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client(**headers).post(reverse("login"), {"username": "alice", "password": password})


def logged_ip() -> str | None:
    return AuditEvent.objects.filter(action__startswith="auth.login").latest("pk").ip_address


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, None, PROXY),
        (0, "203.0.113.7", PROXY),  # no trusted proxy: the header is the client's own claim
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # what the client claimed comes first
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.1", "203.0.113.7"),
        (2, "203.0.113.7", PROXY),  # fewer hops than proxies: not trustworthy
        (1, "not-an-address", PROXY),
        (1, "2001:db8::7", "2001:db8::7"),
    ],
)
def test_the_audit_log_records_the_persons_address(
    alice, settings, proxies, forwarded_for, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    sign_in("wrong password", forwarded_for=forwarded_for)
    assert logged_ip() == expected


def test_behind_a_proxy_a_lockout_holds_only_the_address_that_failed(alice, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("wrong password", forwarded_for="203.0.113.7")
    assert sign_in(PASSWORD, forwarded_for="203.0.113.7").status_code == 429
    assert sign_in(PASSWORD, forwarded_for="198.51.100.20").status_code == 302


def test_without_trusted_proxies_a_forged_header_does_not_escape_a_lockout(alice, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in("wrong password", forwarded_for=f"198.51.100.{attempt}")
    assert sign_in(PASSWORD, forwarded_for="198.51.100.99").status_code == 429

"""Headers every page sends (CSP without inline code, Permissions-Policy, no caching of
signed-in pages), templates free of inline code the CSP would block, and logs that keep
secret links out and a 403 on one line."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from django.urls import reverse

from sites_app.log_filters import OneLineForbidden, redact_secret_links
from sites_app.models import Role

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def test_a_signed_in_page_is_never_cached_and_carries_a_strict_csp(client_for, alice):
    response = client_for(alice).get(reverse("team_detail"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "geolocation=()" in response["Permissions-Policy"]


def test_htmx_fragments_of_a_signed_in_page_are_not_cached_either(client_for, alice):
    response = client_for(alice).get(reverse("dashboard"), headers={"HX-Request": "true"})
    assert "no-store" in response["Cache-Control"]


def test_htmx_is_told_not_to_inject_its_inline_style(client):
    page = client.get(reverse("login")).content.decode()
    assert '"includeIndicatorStyles": false' in page


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "an inline event handler"),
    (re.compile(r"\shx-on", re.I), "an hx-on handler (htmx evaluates it)"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_template_holds_code_the_csp_would_block():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {what}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        for pattern, what in INLINE
        if pattern.search(line)
    ]
    assert found == []


def test_secret_links_are_redacted_and_others_kept():
    assert redact_secret_links("GET /accounts/reset/MQ/c4x-9f2a/ HTTP/1.1") == (
        "GET /accounts/reset/…/…/ HTTP/1.1"
    )
    assert redact_secret_links("Not Found: /invitations/AbC_123-xyz/") == (
        "Not Found: /invitations/…/"
    )
    assert redact_secret_links("POST /team/invitations/7/revoke/") == (
        "POST /team/invitations/7/revoke/"
    )
    assert redact_secret_links("GET /accounts/reset/done/") == "GET /accounts/reset/done/"


@pytest.fixture
def portal_log():
    """What the portal's stdout handler writes, as configured in settings.LOGGING."""
    [handler] = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, OneLineForbidden) for f in h.filters)
    ]
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(old)


def test_a_refused_request_is_logged_on_one_line(client_for, member, portal_log):
    viewer = client_for(member(Role.VIEWER))
    assert viewer.get(reverse("gandi_account_create")).status_code == 403
    lines = portal_log.getvalue().splitlines()
    assert any("Forbidden" in line and "/gandi-accounts/new/" in line for line in lines)
    assert "Traceback" not in portal_log.getvalue()


def test_an_invitation_link_never_reaches_the_log(client, portal_log):
    token = "secret-token-of-an-invitation-0123456789"
    client.get(f"/invitations/{token}/")
    client.get("/accounts/reset/MQ/secret-reset-token-0123/")
    log = portal_log.getvalue()
    assert "Not Found: /invitations/…/" in log  # logged, without its token
    assert token not in log
    assert "secret-reset-token" not in log

"""The production start, booted for real: scripts/prod_local.sh (migrate, collectstatic,
`check --deploy --fail-level WARNING`, then gunicorn with deploy/gunicorn.conf.py) with
DEBUG=False on a free port, against the test database and Redis. The test plays the TLS proxy
(X-Forwarded-Proto, X-Forwarded-For) and checks what a browser would get over HTTP.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import subprocess
import time
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from portal.private_redis import free_port
from sites_app.models import Role
from tests.fixtures.celery_worker import database_url
from tests.fixtures.personas import PASSWORD

from .observatory import score

ROOT = Path(__file__).resolve().parents[2]
SECRET_TOKEN = "Zq9-secret-invitation-token-that-must-not-be-logged"

pytestmark = pytest.mark.django_db(transaction=True)


class Proxy:
    """What the TLS proxy forwards: plain HTTP to gunicorn, saying the browser used HTTPS."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str = "", *, https: bool = True, **headers):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-For": "203.0.113.7", **headers}
        if https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body or None, headers=sent)
        response = connection.getresponse()
        response.text = response.read().decode(errors="replace")
        response.set_cookies = {}
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for name, morsel in cookie.items():
                response.set_cookies[name] = header
                self.cookies[name] = morsel.value
        connection.close()
        return response


@pytest.fixture
def production(tmp_path):
    port = free_port()
    log_path = tmp_path / "prod.log"
    env = dict(os.environ, DATABASE_URL=database_url(), GUNICORN_BIND=f"127.0.0.1:{port}")
    env.update(PROD_LOCAL_PROCESSES="web", GUNICORN_WORKERS="1", VENV_BIN=str(ROOT / ".venv/bin"))
    test_only = ["DEBUG", "HTTPS", "STATIC_MANIFEST", "EMAIL_URL", "SQLITE_TEST_NAME"]
    for name in [*test_only, "DJANGO_ALLOW_ASYNC_UNSAFE"]:
        env.pop(name, None)  # the script's production defaults, not the tests'
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["bash", str(ROOT / "scripts/prod_local.sh")],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 120
    try:
        while b"Booting worker" not in log_path.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the production start did not boot:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield Proxy(port), log_path
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def test_the_production_start_serves_safe_headers_cookies_and_signed_in_pages(production, member):
    proxy, log_path = production
    viewer = member(Role.VIEWER)
    boot_log = log_path.read_text()
    assert "System check identified no issues (0 silenced)." in boot_log

    # Plain HTTP (no proxy header) is sent to HTTPS.
    plain = proxy.request("GET", "/accounts/login/", https=False)
    assert plain.status == 301
    assert plain.headers["Location"].startswith("https://127.0.0.1:")

    login = proxy.request("GET", "/accounts/login/")
    assert login.status == 200
    headers = login.headers
    assert "Server" not in headers  # no gunicorn banner
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    # __Host-: the browser keeps them only as Secure, for "/", without a Domain (ASVS 3.4.4).
    csrf_cookie = login.set_cookies["__Host-csrftoken"]
    assert "Secure" in csrf_cookie and "SameSite=Lax" in csrf_cookie
    assert "Path=/" in csrf_cookie and "Domain" not in csrf_cookie

    # collectstatic ran: the page links hashed files that whitenoise serves for a year.
    css = re.search(r'href="(/static/portal/portal\.[0-9a-f]+\.css)"', login.text)
    assert css, login.text[:500]
    static = proxy.request("GET", css[1])
    assert static.status == 200
    assert "immutable" in static.headers["Cache-Control"]

    signed_in = proxy.request(
        "POST",
        "/accounts/login/",
        f"username={viewer.username}&password={PASSWORD}"
        f"&csrfmiddlewaretoken={proxy.cookies['__Host-csrftoken']}",
        Referer=f"{proxy.origin}/accounts/login/",
    )
    assert signed_in.status == 302, signed_in.text[:2000]
    session_cookie = signed_in.set_cookies["__Host-sessionid"]
    for flag in ("HttpOnly", "Secure", "SameSite=Lax", "Path=/"):
        assert flag in session_cookie
    # Mozilla's Observatory, by its published scoring of these headers and cookies.
    cookies = [*login.set_cookies.values(), *signed_in.set_cookies.values()]
    observatory = score(headers, cookies, redirects_to_https=True)
    assert observatory["grade"] == "A+", observatory

    dashboard = proxy.request("GET", "/")
    assert dashboard.status == 200
    assert viewer.username in dashboard.text
    assert "no-store" in dashboard.headers["Cache-Control"]
    assert "Server" not in dashboard.headers

    # A viewer may not add a Gandi account: a 403, logged as one line.
    refused = proxy.request("GET", "/gandi-accounts/new/")
    assert refused.status == 403
    # A secret link (here an unknown one) never reaches the log.
    proxy.request("GET", f"/invitations/{SECRET_TOKEN}/", Referer=f"{proxy.origin}/")

    time.sleep(0.5)  # let gunicorn flush its access log
    log = log_path.read_text()
    assert "Forbidden" in log and "/gandi-accounts/new/" in log
    assert "Traceback" not in log
    assert SECRET_TOKEN not in log
    assert "/invitations/…" in log

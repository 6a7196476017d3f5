"""Fixtures for the teams, invitations, Gandi accounts and audit-log tests."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sites_app.models import Endpoint, GandiAccount


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Personas sign in with real passwords; the slow default hasher adds seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sim_account(team, simulator):
    """make(name) -> a Gandi account of the team on the simulator, with a working key."""

    def make(name: str = "Main account", **sim_kwargs) -> tuple[GandiAccount, str]:
        key = simulator.add_account(**sim_kwargs)
        account = GandiAccount(
            team=team, name=name, endpoint=Endpoint.CUSTOM, custom_url=simulator.url
        )
        account.set_api_key(key)
        account.save()
        return account, key

    return make


class _Recorder(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.bodies.append(body.decode(errors="replace"))
        self.send_response(500)
        self.end_headers()

    def log_message(self, *args):  # keep the test output quiet
        pass


@pytest.fixture
def scratch_server():
    """An HTTP server on loopback that records every request body: a stand-in for a URL
    someone would like the stored key to be sent to."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.bodies = []
    server.url = f"http://127.0.0.1:{server.server_port}/xmlrpc/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def loopback_http(settings):
    """Custom endpoints may use plain http only in DEBUG and only on loopback (the simulator)."""
    settings.DEBUG = True

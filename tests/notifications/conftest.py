"""Fixtures of notification and webhook tests: a webhook receiver on loopback, and the
notification tasks captured and run in this process (the worker's part)."""

from __future__ import annotations

import hashlib
import hmac
import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sites_app import tasks_notify
from sites_app.models import OperationKind
from sites_app.services import operations
from tests.lifecycle.conftest import (  # noqa: F401  (fixtures shared with tests/lifecycle)
    MANAGED_DOMAIN,
    account,
    enqueued,
    synced_site,
)

NOTIFY_TASKS = (
    tasks_notify.notify_operation_ended,
    tasks_notify.notify_send_email,
    tasks_notify.notify_expiring_sites,
    tasks_notify.deliver_webhook,
    tasks_notify.deliver_due_webhooks,
)


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver: answers the statuses in `answers` in turn (then 200)."""

    port: int
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    location: str = ""
    scheme: str = "http"
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}/hooks/portal"

    def events(self) -> list[str]:
        return [r.json()["type"] for r in self.received]


def _serve(state: Receiver, ssl_context=None):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            state.received.append(
                Received(self.path, dict(self.headers.items()), self.rfile.read(length))
            )
            status = state.answers.pop(0) if state.answers else 200
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", state.location or "http://127.0.0.1:9/elsewhere")
            body = b"ok" if status < 300 else b"receiver says no " * 100
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # a followed redirect would land here
            state.received.append(Received(self.path, dict(self.headers.items()), b""))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if ssl_context is not None:
        server.socket = ssl_context.wrap_socket(server.socket, server_side=True)
    state.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def receiver():
    state = Receiver(port=0)
    server = _serve(state)
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def tls_receiver(test_ca):
    """tls_receiver(names) -> a receiver on https://localhost:<port>/ whose certificate, from
    the test CA, is issued for `names`."""
    servers = []

    def start(*names: str) -> Receiver:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        test_ca.issue_cert(*names).configure_cert(context)
        state = Receiver(port=0, scheme="https", host="localhost")
        servers.append(_serve(state, context))
        return state

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def webhook_settings(settings):
    """http://127.0.0.1 is accepted in DEBUG only; loopback only with WEBHOOK_ALLOW_PRIVATE."""
    settings.DEBUG = True
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.PORTAL_URL = "https://portal.example.com"
    return settings


@pytest.fixture
def hook(team, alice, receiver, webhook_settings):
    """(endpoint, secret): a webhook of the team on the loopback receiver, every event."""
    from sites_app.models import WebhookEvent
    from sites_app.services import webhooks

    events = [event.value for event in WebhookEvent]
    return webhooks.create_endpoint(
        team, url=receiver.url, description="every event", events=events, actor=alice
    )


@pytest.fixture
def notify_worker(monkeypatch, django_capture_on_commit_callbacks):
    """Captures the notification tasks sent to the broker; `run()` plays the worker: runs them
    in this process (and what they send in turn) until none is left, committing as it goes."""
    sent: list[tuple[str, tuple]] = []
    by_name = {task.name: task for task in NOTIFY_TASKS}
    for task in NOTIFY_TASKS:

        def capture(args=None, kwargs=None, _name=task.name, **options):
            sent.append((_name, tuple(args or ())))

        monkeypatch.setattr(task, "apply_async", capture)

    class Worker:
        queue = sent
        capture = staticmethod(django_capture_on_commit_callbacks)

        def run(self) -> list[str]:
            ran = []
            while sent:
                name, args = sent.pop(0)
                with django_capture_on_commit_callbacks(execute=True):
                    by_name[name].run(*args)
                ran.append(name)
            return ran

    return Worker()


def finished(callbacks_fixture, op_runner, op):
    """Run the operation to its end with on-commit callbacks executed (the hook's enqueue)."""
    with callbacks_fixture(execute=True):
        return op_runner(op)


def request_create(account, user, name="Shop", key="notify-create-0001"):  # noqa: F811
    op, _ = operations.request_operation(
        account=account,
        kind=OperationKind.CREATE,
        user=user,
        params={
            "name": name,
            "provider": "basekit_whitelabel",
            "package": "personal",
            "duration": "1m",
            "vhosts": [f"{name.lower()}.{MANAGED_DOMAIN}"],
        },
        idempotency_key=key,
    )
    return op


def verify_signature(secret: str, received: Received, tolerance: int = 300) -> bool:
    """What a receiver does, written independently of the portal's code."""
    parts = dict(item.split("=", 1) for item in received.headers["X-Portal-Signature"].split(","))
    signed = parts["t"].encode() + b"." + received.body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])

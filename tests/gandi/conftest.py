from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from sites_app.gandi.client import GandiClient

from .endpoint import Reply, ScriptedEndpoint

TEST_KEY = "SeCrEtKeY0123456789awxyz"  # 24 alphanumerics, like a real key


@pytest.fixture
def scripted_endpoint() -> Iterator[Callable[..., ScriptedEndpoint]]:
    """Start a scripted endpoint: `scripted_endpoint(Reply(...), Reply(...))`."""
    started: list[ScriptedEndpoint] = []

    def start(*replies: Reply) -> ScriptedEndpoint:
        endpoint = ScriptedEndpoint(*replies)
        started.append(endpoint)
        return endpoint

    yield start
    for endpoint in started:
        endpoint.stop()


def quick_client(url: str, key: str = TEST_KEY, **options: object) -> GandiClient:
    """A client with short timeouts and back-off, so failure tests stay fast."""
    options.setdefault("timeout", 2.0)
    options.setdefault("backoff_base", 0.01)
    options.setdefault("backoff_cap", 0.05)
    options.setdefault("rate_limit_pause", 0.3)
    return GandiClient(url, key, **options)  # type: ignore[arg-type]


def wait_until_final(client: GandiClient, op_id: int, timeout: float = 10.0):
    """Poll an operation the way the seed does, until it reaches a final step."""
    deadline = time.monotonic() + timeout
    while True:
        op = client.operation_info(op_id)
        if op.is_final:
            return op
        if time.monotonic() > deadline:
            raise AssertionError(f"operation {op_id} still in {op.step} after {timeout}s")
        time.sleep(0.05)


@pytest.fixture
def account(simulator) -> str:
    """A fresh simulator account with 1000 EUR of credit; its API key."""
    return simulator.add_account(credit=1000.0)


@pytest.fixture
def client(simulator, account) -> GandiClient:
    return quick_client(simulator.url, account)

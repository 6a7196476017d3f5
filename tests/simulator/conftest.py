import time
import xmlrpc.client

import pytest


def proxy(simulator) -> xmlrpc.client.ServerProxy:
    # Written as the seed writes it: nil and dateTime values come back as None and datetime.
    return xmlrpc.client.ServerProxy(simulator.url, allow_none=True, use_datetime=True)


@pytest.fixture
def api(simulator) -> xmlrpc.client.ServerProxy:
    return proxy(simulator)


@pytest.fixture
def key(simulator) -> str:
    return simulator.add_account(credit=1000, gandi_domains=["mine.example"])


def wait_until_final(api, key: str, op: dict, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while op["step"] not in ("DONE", "ERROR", "SUPPORT", "CANCEL"):
        assert time.monotonic() < deadline, f"operation still in {op['step']}"
        time.sleep(0.02)
        op = api.operation.info(key, op["id"])
    return op


def create_site(api, key: str, name: str = "My Site", vhosts=("www.mine.example",), **extra):
    """A site that has finished being created (its vhosts need no TXT by default)."""
    op = api.site.create(key, {"name": name, "vhosts": list(vhosts), **extra})
    assert wait_until_final(api, key, op)["step"] == "DONE"
    return api.site.info(key, op["site_id"])


def fault_of(call, *args) -> xmlrpc.client.Fault:
    with pytest.raises(xmlrpc.client.Fault) as caught:
        call(*args)
    return caught.value

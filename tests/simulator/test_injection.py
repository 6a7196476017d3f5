"""Fault injection: each mode, reproducible with a seed, and the call counter."""

import http.client
import json
import time
import urllib.error
import urllib.request
import xmlrpc.client
from urllib.parse import urlsplit

import pytest

from .conftest import fault_of, proxy, wait_until_final


def raw_call(simulator, method: str, *params) -> str:
    """One request on a fresh connection, never re-sent: what happened, in one word."""
    url = urlsplit(simulator.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    body = xmlrpc.client.dumps(params, method, allow_none=True).encode()
    try:
        connection.request("POST", url.path, body, {"Content-Type": "text/xml"})
        response = connection.getresponse()
        if response.status == 503:
            return "http503"
        data = response.read()
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return "drop"
    except http.client.IncompleteRead:
        return "lost"
    finally:
        connection.close()
    try:
        xmlrpc.client.loads(data)
    except xmlrpc.client.Fault as fault:
        return f"fault{fault.faultCode}"
    except Exception:
        return "lost"  # a reply cut in the middle of its body
    return "ok"


@pytest.mark.parametrize("kind", ["fault150000", "http503", "drop"])
def test_transient_faults_before_acting_leave_nothing_behind(simulator, key, kind):
    simulator.set_faults(fault_rate=1.0, fault_kinds=kind)

    outcome = raw_call(simulator, "site.create", key, {"name": "S", "vhosts": ["s.mine.example"]})

    assert outcome == kind
    simulator.set_faults(fault_rate=0)
    assert proxy(simulator).site.count(key) == 0


def test_a_lost_reply_comes_after_the_simulator_acted(simulator, key):
    simulator.set_faults(fault_rate=1.0, fault_kinds="lost")

    outcome = raw_call(simulator, "site.create", key, {"name": "S", "vhosts": ["s.mine.example"]})

    assert outcome == "lost"
    simulator.set_faults(fault_rate=0)
    assert [s["name"] for s in proxy(simulator).site.list(key)] == ["S"]


def test_a_lost_reply_is_not_silently_re_sent_by_the_standard_library(simulator, key):
    simulator.set_faults(fault_rate=1.0, fault_kinds="lost")

    with pytest.raises(Exception):  # noqa: B017 - any failure: the caller must notice
        proxy(simulator).site.create(key, {"name": "S", "vhosts": ["s.mine.example"]})

    assert simulator.calls()["site.create"] == 1


def test_the_same_seed_fails_the_same_calls(simulator, key):
    def run():
        simulator.set_faults(fault_rate=0.5, seed=42)
        return [raw_call(simulator, "version.info", key) for _ in range(30)]

    first, second = run(), run()

    assert first == second
    assert {"ok", "fault150000", "http503", "drop", "lost"} == set(first)


def test_a_fault_rate_fails_about_that_fraction_of_calls(simulator, key):
    simulator.set_faults(fault_rate=0.2, fault_kinds="fault150000", seed=1)

    outcomes = [raw_call(simulator, "version.info", key) for _ in range(200)]

    assert 20 <= outcomes.count("fault150000") <= 60


def test_operation_failures_are_reproducible_with_a_seed(simulator, key):
    api = proxy(simulator)
    simulator.step_seconds = 0

    def run(tag):
        simulator.set_faults(op_error_rate=0.3, op_support_rate=0.2, seed=9)
        steps = []
        for i in range(12):
            op = api.site.create(key, {"name": f"{tag}{i}", "vhosts": [f"{tag}{i}.mine.example"]})
            steps.append(wait_until_final(api, key, op)["step"])
        return steps

    first, second = run("a"), run("b")

    assert first == second
    assert {"DONE", "ERROR", "SUPPORT"} == set(first)


def test_latency_delays_every_call(simulator, key):
    api = proxy(simulator)
    simulator.set_faults(latency=150)

    started = time.monotonic()
    api.version.info(key)

    assert time.monotonic() - started >= 0.15


def test_the_rate_limit_window_slides(simulator, key):
    api = proxy(simulator)
    simulator.set_faults(rate_limit="2/0.4")
    api.version.info(key)
    api.version.info(key)
    assert fault_of(api.version.info, key).faultCode == 150004

    time.sleep(0.45)

    assert api.version.info(key)["api_version"]


def test_every_call_is_counted_per_method_even_failed_ones(simulator, key):
    api = proxy(simulator)
    api.site.count(key)
    api.site.count(key)
    fault_of(api.site.info, key, 12345)
    fault_of(api.no.such, key)

    counts = simulator.calls()

    assert counts["site.count"] == 2
    assert counts["site.info"] == 1
    assert counts["no.such"] == 1


def test_other_processes_read_the_counts_over_http(simulator, key):
    proxy(simulator).site.list(key)
    stats_url = simulator.url.replace("/xmlrpc/", "/_sim/stats")

    with urllib.request.urlopen(stats_url, timeout=5) as response:
        stats = json.load(response)

    assert stats["calls"]["site.list"] == 1
    assert stats["total"] == 1


def test_an_unknown_fault_flag_is_refused(simulator):
    with pytest.raises(TypeError):
        simulator.set_faults(explode=True)
    with pytest.raises(ValueError):
        simulator.set_faults(fault_kinds="meteor")
    with pytest.raises(ValueError):
        simulator.set_faults(rate_limit="lots")


def test_other_processes_set_the_fault_flags_over_http(simulator, key):
    request = urllib.request.Request(
        simulator.url.replace("/xmlrpc/", "/_sim/faults"),
        data=json.dumps({"fault_rate": 1.0, "fault_kinds": "fault150000", "seed": 4}).encode(),
        method="POST",
    )

    with urllib.request.urlopen(request, timeout=5) as response:
        flags = json.load(response)

    assert flags["fault_rate"] == 1.0 and flags["seed"] == 4
    assert fault_of(proxy(simulator).version.info, key).faultCode == 150000


def test_bad_fault_flags_over_http_are_a_400_with_the_reason(simulator):
    request = urllib.request.Request(
        simulator.url.replace("/xmlrpc/", "/_sim/faults"),
        data=json.dumps({"fault_rate": 7}).encode(),
        method="POST",
    )

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)

    assert refused.value.code == 400
    assert "between 0 and 1" in refused.value.read().decode()

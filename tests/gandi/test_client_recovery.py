"""Lost replies, dropped connections and slow answers: reads retry, mutations never re-send
and raise AmbiguousError, and the caller can find what Gandi did."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sites_app.gandi import errors

from .conftest import quick_client, wait_until_final

PARKING = "basekit-site.example"


def test_a_lost_create_reply_is_ambiguous_sent_once_and_recoverable(simulator, client):
    asked_at = datetime.now(UTC)
    simulator.set_faults(fault_rate=1.0, fault_kinds="lost")

    with pytest.raises(errors.AmbiguousError) as lost:
        client.site_create(name="Maybe", vhosts=[f"maybe.{PARKING}"])

    assert lost.value.method == "site.create"
    assert simulator.calls()["site.create"] == 1
    simulator.set_faults(fault_rate=0.0)
    operations = client.find_operations(type="sitebuilder_create", since=asked_at)
    site = client.find_site_by_name("Maybe")
    assert len(operations) == 1
    assert site is not None and operations[0].site_id == site.id
    assert wait_until_final(client, operations[0].id).step == "DONE"


@pytest.mark.parametrize("kind", ["lost", "drop", "http503"])
def test_a_failed_delete_is_ambiguous_and_never_resent(simulator, client, kind):
    op = client.site_create(name="Target", vhosts=[f"target.{PARKING}"])
    wait_until_final(client, op.id)
    simulator.set_faults(fault_rate=1.0, fault_kinds=kind)

    with pytest.raises(errors.AmbiguousError):
        client.site_delete(op.site_id)

    assert simulator.calls()["site.delete"] == 1


@pytest.mark.parametrize("kind", ["fault150000", "http503", "drop", "lost"])
def test_reads_ride_through_intermittent_failures(simulator, client, kind):
    simulator.set_faults(fault_rate=0.3, fault_kinds=kind, seed=7)
    client.read_retries = 6

    counts = [client.site_count() for _ in range(12)]

    assert counts == [0] * 12
    assert simulator.calls()["site.count"] > 12  # some were retried


@pytest.mark.parametrize("kind", ["http503", "drop"])
def test_a_read_failing_every_time_gives_up_as_transient(simulator, client, kind):
    simulator.set_faults(fault_rate=1.0, fault_kinds=kind)

    with pytest.raises(errors.TransientError) as failed:
        client.site_list()

    assert not isinstance(failed.value, errors.UnreachableError)
    assert simulator.calls()["site.list"] == 1 + client.read_retries


def test_a_slow_gandi_times_out_a_read_with_a_clear_message(simulator, account):
    simulator.set_faults(latency=800)
    client = quick_client(simulator.url, account, timeout=0.3, read_retries=1)

    started = datetime.now(UTC)
    with pytest.raises(errors.TransientError) as slow:
        client.site_count()

    assert "did not answer within 0.3 seconds" in slow.value.message
    assert datetime.now(UTC) - started < timedelta(seconds=1.5)


def test_a_slow_create_times_out_as_ambiguous_and_gandi_did_act(simulator, account):
    simulator.set_faults(latency=800)
    client = quick_client(simulator.url, account, timeout=0.3)

    with pytest.raises(errors.AmbiguousError):
        client.site_create(name="Late", vhosts=[f"late.{PARKING}"])

    simulator.set_faults(latency=0)
    patient = quick_client(simulator.url, account)
    deadline = datetime.now(UTC) + timedelta(seconds=5)
    while patient.find_site_by_name("Late") is None:
        assert datetime.now(UTC) < deadline, "the simulator never created the site"
    assert simulator.calls()["site.create"] == 1


def test_a_stopped_simulator_is_unreachable_and_a_mutation_is_not_ambiguous(simulator, client):
    simulator.stop()

    with pytest.raises(errors.UnreachableError) as down:
        client.site_delete(1)

    assert down.value.message.startswith(f"Could not reach Gandi at {simulator.url}")

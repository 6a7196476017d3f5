"""Pages read from Gandi quickly: at most one retry, so a sick Gandi cannot hold a page long."""

from __future__ import annotations

import time

import pytest

from sites_app.gandi.errors import TransientError
from sites_app.services import sites as site_service
from tests.lifecycle.conftest import post_create

pytestmark = pytest.mark.django_db


def test_a_site_page_refresh_gives_up_after_one_retry_when_gandi_keeps_failing(
    synced_site, simulator
):
    simulator.set_faults(fault_rate=1.0, fault_kinds="http503")
    before = simulator.calls()["site.info"]
    started = time.monotonic()
    message = site_service.refresh_site_in_view(synced_site)
    elapsed = time.monotonic() - started
    simulator.set_faults(fault_rate=0.0)
    assert "Gandi" in message
    assert simulator.calls()["site.info"] - before <= 2
    assert elapsed < 5


def test_a_worker_still_retries_reads_several_times(account, simulator):
    simulator.set_faults(fault_rate=1.0, fault_kinds="http503")
    before = simulator.calls()["site.count"]
    with pytest.raises(TransientError):
        account.client().site_count()
    simulator.set_faults(fault_rate=0.0)
    assert simulator.calls()["site.count"] - before == 4


def two_record_proof(client_for, alice):

    from sites_app.models import PendingRequest
    from tests.lifecycle.test_create_views import form_data

    client = client_for(alice)
    vhosts = "www.first-own.example\nwww.second-own.example"
    post_create(client, form_data(client, vhosts=vhosts))
    pending = PendingRequest.objects.get()
    assert pending.records.count() == 2
    return pending


def test_a_dns_check_looks_up_only_the_records_not_seen_yet(client_for, alice, account, simulator):
    from sites_app.services import verification

    pending = two_record_proof(client_for, alice)
    first, second = pending.records.order_by("txt_name")
    simulator.publish_txt(first.txt_name, first.txt_value)
    verification.check_dns(pending)
    first.refresh_from_db()
    assert first.seen
    seen_checked_at = first.last_checked_at
    verification.check_dns(pending)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.last_checked_at == seen_checked_at  # not asked again
    assert second.last_checked_at > seen_checked_at


def test_a_dns_check_stops_looking_up_when_its_time_is_spent(
    client_for, alice, account, simulator, monkeypatch
):
    from sites_app import dns
    from sites_app.services import verification

    pending = two_record_proof(client_for, alice)
    real_lookup = dns.lookup_txt

    def slow_lookup(name):
        time.sleep(0.3)  # a resolver that takes its time
        return real_lookup(name)

    monkeypatch.setattr(dns, "lookup_txt", slow_lookup)
    monkeypatch.setattr(verification, "CHECK_TIME_BUDGET", 0.2)
    assert verification.check_dns(pending) is False
    checked = [r.last_checked_at is not None for r in pending.records.order_by("txt_name")]
    assert checked == [True, False]  # the other one waits for the next check

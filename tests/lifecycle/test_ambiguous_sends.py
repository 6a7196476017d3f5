"""After a lost answer the portal never sends again while Gandi may still act; leases."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from sites_app.models import Operation, OperationStatus
from sites_app.services import operations, polling, recovery
from tests.lifecycle.conftest import MANAGED_DOMAIN, gandi_operation_count
from tests.lifecycle.test_operation_service import request_create

pytestmark = pytest.mark.django_db


def test_a_create_gandi_acts_on_after_the_timeout_is_adopted_not_offered_for_retry(
    account, alice, enqueued, simulator, settings
):
    settings.GANDI_TIMEOUT = 1.0
    op = request_create(account, alice, name="Slow create")
    simulator.set_faults(latency=2500)  # Gandi answers (and acts) after the client gave up
    operations.submit_operation(op.pk)
    simulator.set_faults(latency=0)
    op.refresh_from_db()
    assert op.status == OperationStatus.CHECKING

    recovery.recover_operation(op.pk)  # the first look comes before Gandi has acted
    op.refresh_from_db()
    assert op.status == OperationStatus.CHECKING
    assert not op.can_retry
    assert op.next_poll_at > timezone.now()
    assert enqueued[-1].task == "sites_app.recover_operation"
    assert enqueued[-1].kwargs["countdown"] > 0

    time.sleep(2.5)  # Gandi has now made the site
    assert gandi_operation_count(account, "sitebuilder_create") == 1
    recovery.recover_operation(op.pk)
    op.refresh_from_db()
    assert op.status in (OperationStatus.IN_PROGRESS, OperationStatus.DONE)
    assert op.gandi_operation_id is not None
    assert not op.can_retry
    assert simulator.calls()["site.create"] == 1


def test_a_look_before_the_proof_window_ends_never_sends_again(account, alice, enqueued, simulator):
    simulator.set_faults(fault_rate=1.0, fault_kinds="http503")
    op = request_create(account, alice, name="Too soon to tell")
    operations.submit_operation(op.pk)
    simulator.set_faults(fault_rate=0.0)
    recovery.recover_operation(op.pk)  # Gandi could still act on the call for a few seconds
    op.refresh_from_db()
    assert op.status == OperationStatus.CHECKING
    assert op.auto_resends == 0
    assert simulator.calls()["site.create"] == 1
    # The next look is planned for just after the window, not minutes later.
    assert op.next_poll_at <= recovery.proof_after(op) + timedelta(seconds=1)


def test_a_send_in_progress_on_a_live_worker_is_not_declared_stuck(account, alice, enqueued):
    op = request_create(account, alice, name="Mid call")
    # Claimed long ago, but its worker renewed the lease a moment ago: it is still in its call.
    Operation.objects.filter(pk=op.pk).update(
        status=OperationStatus.SENDING,
        claimed_at=timezone.now() - timedelta(minutes=10),
        lease_until=timezone.now() + timedelta(seconds=10),
    )
    polling.reconcile_operations()
    op.refresh_from_db()
    assert op.status == OperationStatus.SENDING

    # The renewals stopped (the worker died): the reconciler takes over at once.
    Operation.objects.filter(pk=op.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert polling.reconcile_operations()["checking"] == 1
    op.refresh_from_db()
    assert op.status == OperationStatus.CHECKING


@pytest.mark.django_db(transaction=True)  # the renewals come from another connection
def test_a_worker_renews_its_lease_while_its_call_runs(
    account, alice, enqueued, simulator, monkeypatch
):
    from sites_app.services import leases

    monkeypatch.setattr(leases, "LEASE_SECONDS", 0.6)
    simulator.set_faults(latency=1500)  # a call that outlasts the lease twice over
    op = request_create(account, alice, name="Long call")
    leases_seen = []
    real_send = operations.send_mutation

    def send_and_watch(client, row):
        result = real_send(client, row)
        leases_seen.append(Operation.objects.get(pk=row.pk).lease_until)
        return result

    monkeypatch.setattr(operations, "send_mutation", send_and_watch)
    claimed = timezone.now()
    operations.submit_operation(op.pk)
    op.refresh_from_db()
    assert op.status in (OperationStatus.IN_PROGRESS, OperationStatus.DONE)
    assert leases_seen[0] > claimed + timedelta(seconds=1.5)  # renewed during the call
    assert simulator.calls()["site.create"] == 1


def test_the_reconciler_never_overwrites_a_row_a_worker_claimed_meanwhile(
    account, alice, enqueued, simulator, monkeypatch
):
    op = request_create(account, alice, name="Raced")
    Operation.objects.filter(pk=op.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    real_finish = polling.finish

    def worker_claims_first(row, *args, **kwargs):
        # Between the reconciler's SELECT and its UPDATE, a worker claims the row.
        Operation.objects.filter(pk=row.pk).update(
            status=OperationStatus.SENDING, claimed_at=timezone.now()
        )
        return real_finish(row, *args, **kwargs)

    monkeypatch.setattr(polling, "finish", worker_claims_first)
    counts = polling.reconcile_operations()
    op.refresh_from_db()
    assert op.status == OperationStatus.SENDING
    assert counts["expired"] == 0


def test_two_reconciler_ticks_in_a_row_send_one_message_per_row(
    account, alice, enqueued, simulator
):
    queued = request_create(
        account, alice, name="Backlog one", vhosts=[f"one.{MANAGED_DOMAIN}"], key="backlog-0001"
    )
    checking = request_create(
        account, alice, name="Backlog two", vhosts=[f"two.{MANAGED_DOMAIN}"], key="backlog-0002"
    )
    a_minute_ago = timezone.now() - timedelta(minutes=1)
    Operation.objects.filter(pk=queued.pk).update(created_at=a_minute_ago)
    Operation.objects.filter(pk=checking.pk).update(
        status=OperationStatus.CHECKING, claimed_at=timezone.now(), next_poll_at=a_minute_ago
    )
    enqueued.clear()
    polling.reconcile_operations()
    polling.reconcile_operations()  # the workers have not got to the first messages yet
    sent = sorted((e.task, e.args) for e in enqueued)
    assert sent == [
        ("sites_app.recover_operation", (checking.pk,)),
        ("sites_app.submit_operation", (queued.pk,)),
    ]
    # The re-sent message is still claimable when a worker gets to it.
    operations.submit_operation(queued.pk)
    assert simulator.calls()["site.create"] == 1

"""A worker that is alive but late (stuck waiting for a rate-limit slot, a paused VM, a heartbeat
that could not renew) never sends after its claim was taken over, and whatever its late call
brings back is never written onto the claim of the worker that took over."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from sites_app.gandi import ratelimit
from sites_app.models import Operation, OperationStatus
from sites_app.models.audit import AuditEvent
from sites_app.services import operations, polling, recovery
from tests.lifecycle.conftest import MANAGED_DOMAIN, gandi_operation_count, run_to_the_end
from tests.lifecycle.test_operation_service import request_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def short_window(settings):
    settings.GANDI_LATE_ACT_SECONDS = 0.0
    return settings


def the_claim_lapses_and_another_worker_sends(op: Operation) -> None:
    """What the rest of the system does while the first worker is stuck: its renewals fail,
    the reconciler takes the row over, the look finds nothing, and a second worker sends."""
    Operation.objects.filter(pk=op.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert polling.reconcile_operations()["checking"] == 1
    recovery.recover_operation(op.pk)
    assert Operation.objects.get(pk=op.pk).status == OperationStatus.QUEUED
    operations.submit_operation(op.pk)


def another_worker_claims(op: Operation) -> None:
    """A second worker claimed the row (the first one's lease lapsed) and is in its call."""
    Operation.objects.filter(pk=op.pk).update(
        status=OperationStatus.SENDING,
        attempts=F("attempts") + 1,
        claimed_at=timezone.now(),
        lease_until=timezone.now() + timedelta(minutes=5),
    )


def test_a_worker_late_for_its_rate_limit_slot_does_not_send_after_its_claim_was_taken(
    account, alice, enqueued, simulator, short_window, monkeypatch
):
    op = request_create(account, alice, name="Late", vhosts=[f"late.{MANAGED_DOMAIN}"])
    real_acquire = ratelimit.RateLimiter.acquire
    stalled = []

    def slow_slot(self, *args, **kwargs):
        if not stalled:  # the first worker waits; meanwhile the rest of the system moves on
            stalled.append(True)
            the_claim_lapses_and_another_worker_sends(op)
        return real_acquire(self, *args, **kwargs)

    monkeypatch.setattr(ratelimit.RateLimiter, "acquire", slow_slot)
    operations.submit_operation(op.pk)  # the first worker, late

    assert stalled
    assert simulator.calls()["site.create"] == 1  # the late worker sent nothing
    op = run_to_the_end(op)
    assert op.status == OperationStatus.DONE
    assert gandi_operation_count(account, "sitebuilder_create") == 1


def past_the_fence_then(monkeypatch, meanwhile) -> list[bool]:
    """Run `meanwhile` once, after the first worker's last check of its claim, before its call
    reaches Gandi: its request is slow on the wire, past its lease."""
    real_fence = operations.fence_before_send
    fired: list[bool] = []

    def fence_then_stall(*args, **kwargs) -> bool:
        passed = real_fence(*args, **kwargs)
        if passed and not fired:
            fired.append(True)
            meanwhile()
        return passed

    monkeypatch.setattr(operations, "fence_before_send", fence_then_stall)
    return fired


def test_a_late_refusal_of_the_first_send_does_not_fail_the_second_senders_billed_site(
    account, alice, enqueued, simulator, short_window, monkeypatch
):
    op = request_create(account, alice, name="Billed", vhosts=[f"billed.{MANAGED_DOMAIN}"])
    second_send = []

    def second_worker_sends_first():
        # The first worker's request is slow on the wire; a second worker took the row over
        # and its create reached Gandi first (billed).
        another_worker_claims(op)
        second_send.append(account.client().site_create(name="Billed", vhosts=op.params["vhosts"]))

    past_the_fence_then(monkeypatch, second_worker_sends_first)
    operations.submit_operation(op.pk)  # its late create is refused: the vhost is taken
    op.refresh_from_db()
    assert op.status == OperationStatus.SENDING  # still the second worker's
    assert operations.adopt(op, second_send[0])  # whose answer is kept
    op = run_to_the_end(op)
    assert op.status == OperationStatus.DONE
    assert op.site is not None
    assert gandi_operation_count(account, "sitebuilder_create") == 1


@pytest.mark.parametrize(
    ("fault", "what"), [("http503", "lost answer"), ("fault150000", "refused for now")]
)
def test_a_late_failure_of_the_first_send_leaves_the_second_workers_claim_alone(
    account, alice, enqueued, simulator, short_window, monkeypatch, fault, what
):
    op = request_create(account, alice, name="Claimed", vhosts=[f"claimed.{MANAGED_DOMAIN}"])

    def second_worker_claims_and_fault_comes():
        another_worker_claims(op)
        simulator.set_faults(fault_rate=1.0, fault_kinds=fault)

    past_the_fence_then(monkeypatch, second_worker_claims_and_fault_comes)
    operations.submit_operation(op.pk)
    simulator.set_faults(fault_rate=0.0)
    op.refresh_from_db()
    # Neither "checking" (another call may be looked for) nor "queued" (a third send) while
    # the second worker is in its call.
    assert op.status == OperationStatus.SENDING, what
    assert op.attempts == 2


def test_a_successful_late_send_is_never_dropped(
    account, alice, enqueued, simulator, short_window, monkeypatch
):
    op = request_create(account, alice, name="Not lost", vhosts=[f"notlost.{MANAGED_DOMAIN}"])

    def taken_over_and_finished():
        # Another worker took the row over and it ended (say, a cancel while queued).
        Operation.objects.filter(pk=op.pk).update(
            status=OperationStatus.FAILED, attempts=F("attempts") + 1, retry_safe=True
        )

    past_the_fence_then(monkeypatch, taken_over_and_finished)
    operations.submit_operation(op.pk)
    assert gandi_operation_count(account, "sitebuilder_create") == 1  # Gandi acted: billed
    op.refresh_from_db()
    assert op.status == OperationStatus.NEEDS_ATTENTION
    assert not op.can_retry
    gandi_id = account.client().find_operations(type="sitebuilder_create")[0].id
    assert str(gandi_id) in op.last_error
    assert AuditEvent.objects.filter(object_id=str(op.pk), detail__gandi_operation_id=gandi_id)

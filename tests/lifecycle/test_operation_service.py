"""The worker side of operations, run in this process against the simulator over XML-RPC."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sites_app.gandi.records import OperationInfo
from sites_app.models import AuditEvent, Operation, OperationKind, OperationStatus, Site
from sites_app.services import operations, polling, recovery
from tests.lifecycle.conftest import MANAGED_DOMAIN, run_to_the_end

pytestmark = pytest.mark.django_db


def request_create(account, alice, name="Shop", vhosts=None, key="key-create-0001"):
    op, _ = operations.request_operation(
        account=account,
        kind=OperationKind.CREATE,
        user=alice,
        params={
            "name": name,
            "provider": "basekit_whitelabel",
            "package": "personal",
            "duration": "1m",
            "vhosts": vhosts or [f"www.{MANAGED_DOMAIN}"],
        },
        idempotency_key=key,
    )
    return op


def test_a_request_is_a_row_before_it_is_a_message_and_the_message_carries_only_the_id(
    account, alice, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        op = request_create(account, alice)
        assert enqueued == []  # nothing sent before the transaction commits
    assert len(callbacks) == 1
    assert [(e.task, e.args) for e in enqueued] == [("sites_app.submit_operation", (op.pk,))]
    assert op.status == OperationStatus.QUEUED
    event = AuditEvent.objects.get(action="site.create")
    assert event.outcome == "requested"
    assert account.api_key() not in str(event.detail)


def test_the_same_request_key_gives_the_same_operation(account, alice, enqueued):
    first = request_create(account, alice, key="same-key-123")
    second = request_create(account, alice, key="same-key-123")
    assert first.pk == second.pk
    assert Operation.objects.count() == 1


def test_a_created_site_appears_with_its_vhosts_after_done(account, alice, enqueued, simulator):
    op = request_create(account, alice, vhosts=[f"www.{MANAGED_DOMAIN}"])
    op = run_to_the_end(op)
    assert op.status == OperationStatus.DONE
    assert op.gandi_step == "DONE"
    site = Site.objects.get(account=account, name="Shop")
    assert op.site == site
    assert site.state == "active"
    names = site.vhost_names()
    assert names[0] == f"www.{MANAGED_DOMAIN}"
    assert site.parking_vhost in names
    assert simulator.calls()["site.create"] == 1
    assert AuditEvent.objects.filter(action="site.create", outcome="success").exists()


def test_a_lost_reply_is_looked_up_and_adopted_without_sending_again(
    account, alice, enqueued, simulator
):
    op = request_create(account, alice, name="Lost reply")
    simulator.set_faults(fault_rate=1.0, fault_kinds="lost")
    operations.submit_operation(op.pk)
    simulator.set_faults(fault_rate=0.0)
    op.refresh_from_db()
    assert op.status == OperationStatus.CHECKING
    assert enqueued[-1].task == "sites_app.recover_operation"
    op = run_to_the_end_after_checking(op)
    assert op.status == OperationStatus.DONE
    assert simulator.calls()["site.create"] == 1
    assert Site.objects.filter(name="Lost reply").count() == 1


def run_to_the_end_after_checking(op):
    recovery.recover_operation(op.pk)
    op.refresh_from_db()
    # Adopted: followed from Gandi's operation (which may already have ended: the
    # simulator's steps take a fraction of a second, a loaded machine's look longer).
    assert op.status in (OperationStatus.IN_PROGRESS, OperationStatus.DONE)
    assert op.gandi_operation_id is not None
    # The queued submit must not send it a second time.
    operations.submit_operation(op.pk)
    import time

    for _ in range(200):
        polling.poll_account_operations(op.account_id)
        op.refresh_from_db()
        if op.is_final:
            return op
        time.sleep(0.05)
    return op


def test_a_send_the_worker_died_in_with_nothing_at_gandi_is_sent_again_once(
    account, alice, enqueued, simulator
):
    op = request_create(account, alice, name="Never sent")
    # Claimed, then the worker died before its call reached Gandi: its lease lapsed.
    Operation.objects.filter(pk=op.pk).update(
        status=OperationStatus.SENDING,
        claimed_at=timezone.now() - timedelta(minutes=1),
        lease_until=timezone.now() - timedelta(seconds=30),
    )
    counts = polling.reconcile_operations()
    assert counts["checking"] == 1
    recovery.recover_operation(op.pk)  # the window has passed: nothing at Gandi is a proof
    recovery.recover_operation(op.pk)  # a second message for the same proof changes nothing
    op.refresh_from_db()
    assert op.status == OperationStatus.QUEUED
    assert op.auto_resends == 1
    assert "sent the request again automatically" in op.recovery_note
    assert [e.task for e in enqueued].count("sites_app.submit_operation") == 1
    op = run_to_the_end(op)
    assert op.status == OperationStatus.DONE
    assert simulator.calls()["site.create"] == 1


def test_an_operation_ending_in_error_shows_why_and_the_raw_fault(
    account, alice, enqueued, simulator
):
    simulator.set_faults(op_error_rate=1.0)
    op = run_to_the_end(request_create(account, alice, name="Doomed"))
    assert op.status == OperationStatus.FAILED
    assert op.last_error.startswith("Gandi could not complete it")
    assert "ERROR" in op.error_detail
    assert op.can_retry


def test_an_operation_in_support_needs_attention(account, alice, enqueued, simulator):
    simulator.set_faults(op_support_rate=1.0)
    op = run_to_the_end(request_create(account, alice, name="Stuck"))
    assert op.status == OperationStatus.NEEDS_ATTENTION
    assert "support" in op.last_error


def test_an_unknown_step_needs_attention_instead_of_polling_forever(account, alice, enqueued):
    op = request_create(account, alice)
    Operation.objects.filter(pk=op.pk).update(
        status=OperationStatus.IN_PROGRESS, gandi_operation_id=999, gandi_step="BILL"
    )
    op.refresh_from_db()
    info = OperationInfo(
        id=999,
        type="sitebuilder_create",
        step="PAUSED",
        date_created=None,
        date_start=None,
        date_updated=None,
        eta=0,
        last_error=None,
        site_id=None,
        params={},
    )
    polling.apply_operation_info(op, info)
    op.refresh_from_db()
    assert op.status == OperationStatus.NEEDS_ATTENTION
    assert "PAUSED" in op.last_error


def test_an_operation_past_its_deadline_needs_attention(account, alice, enqueued, simulator):
    simulator.step_seconds = 30  # Gandi is slow today
    op = request_create(account, alice, name="Slow")
    operations.submit_operation(op.pk)
    Operation.objects.filter(pk=op.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    polling.poll_account_operations(account.pk)
    op.refresh_from_db()
    assert op.status == OperationStatus.NEEDS_ATTENTION
    assert "in time" in op.last_error


def test_the_reconciler_resends_a_lost_message_and_the_claim_sends_once(
    account, alice, enqueued, simulator
):
    op = request_create(account, alice, name="Lost message")
    Operation.objects.filter(pk=op.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    polling.reconcile_operations()
    assert ("sites_app.submit_operation", (op.pk,)) in [(e.task, e.args) for e in enqueued]
    operations.submit_operation(op.pk)
    operations.submit_operation(op.pk)  # the original message arrives late
    assert simulator.calls()["site.create"] == 1


def test_a_queued_operation_past_its_deadline_fails_without_sending(
    account, alice, enqueued, simulator
):
    op = request_create(account, alice, name="Too late")
    Operation.objects.filter(pk=op.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    polling.reconcile_operations()
    op.refresh_from_db()
    assert op.status == OperationStatus.FAILED
    assert simulator.calls()["site.create"] == 0


def test_a_rejected_request_shows_gandis_reason(account, alice, enqueued, simulator):
    op = run_to_the_end(request_create(account, alice, name="x" * 80))
    assert op.status == OperationStatus.FAILED
    assert "The name must be 1 to 64 printable characters" in op.last_error
    assert "560737" in op.error_detail
    assert "OBJECT_SITE_NAME" in op.error_detail
    assert op.can_retry  # Gandi refused it: nothing was made


def test_polling_is_one_call_for_all_operations_of_an_account(account, alice, enqueued, simulator):
    simulator.step_seconds = 30
    first = request_create(account, alice, name="One", key="k-one-00001")
    second = request_create(
        account, alice, name="Two", key="k-two-00002", vhosts=[f"two.{MANAGED_DOMAIN}"]
    )
    operations.submit_operation(first.pk)
    operations.submit_operation(second.pk)
    before = simulator.calls()["operation.list"]
    polling.poll_account_operations(account.pk)
    assert simulator.calls()["operation.list"] - before == 1
    assert simulator.calls()["operation.info"] == 0


def test_a_site_busy_at_gandi_is_sent_later_not_failed(
    account, alice, enqueued, simulator, synced_site
):
    simulator.step_seconds = 0.5
    client = account.client()
    client.site_update(synced_site.gandi_id, vhosts=synced_site.vhost_names()[::-1])
    op, _ = operations.request_operation(
        account=account,
        kind=OperationKind.UPDATE_VHOSTS,
        user=alice,
        params={"vhosts": synced_site.vhost_names()},
        idempotency_key="busy-key-0001",
        site=synced_site,
    )
    operations.submit_operation(op.pk)
    op.refresh_from_db()
    assert op.status == OperationStatus.QUEUED
    assert "try again" in op.last_error
    assert enqueued[-1].task == "sites_app.submit_operation"
    assert enqueued[-1].kwargs["countdown"] > 0
    import time

    time.sleep(2.5)  # the outside change ends; the backoff is due
    Operation.objects.filter(pk=op.pk).update(next_poll_at=timezone.now())
    op = run_to_the_end(op)
    assert op.status == OperationStatus.DONE
    assert op.attempts == 2


def test_a_revoked_key_fails_with_a_message_that_never_holds_the_key(
    account, alice, enqueued, simulator
):
    key = account.api_key()
    simulator.revoke_account(key)
    op = run_to_the_end(request_create(account, alice, name="Revoked"))
    assert op.status == OperationStatus.FAILED
    assert "key" in op.last_error.lower()
    for text in (op.last_error, op.error_detail, str(op.params)):
        assert key not in text
    for event in AuditEvent.objects.all():
        assert key not in str(event.detail)


def test_when_gandi_stays_unreachable_the_deadline_still_ends_the_operation(
    account, alice, enqueued, simulator
):
    simulator.step_seconds = 30
    op = request_create(account, alice, name="Unreachable")
    operations.submit_operation(op.pk)
    simulator.stop()
    Operation.objects.filter(pk=op.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    polling.reconcile_operations()  # beat missed many ticks; one is enough
    op.refresh_from_db()
    assert op.status == OperationStatus.NEEDS_ATTENTION


def test_an_unanswered_send_with_gandi_down_ends_by_its_deadline(
    account, alice, enqueued, simulator
):
    op = request_create(account, alice, name="Down")
    Operation.objects.filter(pk=op.pk).update(
        status=OperationStatus.CHECKING,
        claimed_at=timezone.now() - timedelta(hours=1),
        deadline=timezone.now() - timedelta(minutes=1),
    )
    simulator.stop()
    recovery.recover_operation(op.pk)
    op.refresh_from_db()
    assert op.status == OperationStatus.NEEDS_ATTENTION
    assert "Check the site before retrying" in op.last_error
    assert not op.can_retry


def test_created_vhosts_on_gandi_managed_domains_are_labelled_so(account, alice, enqueued):
    op = run_to_the_end(request_create(account, alice, vhosts=[f"www.{MANAGED_DOMAIN}"]))
    vhost = op.site.vhosts.get(name=f"www.{MANAGED_DOMAIN}")
    assert vhost.get_ownership_display() == "Domain managed at Gandi"
    parking = op.site.vhosts.get(name=op.site.parking_vhost)
    assert parking.ownership == "parking"


def test_polls_are_quick_at_first_and_slower_later():
    intervals = [polling.poll_interval(age) for age in (0, 30, 300, 3000)]
    assert intervals == sorted(intervals)
    assert intervals[0] <= 1.0
    assert intervals[-1] >= 30.0


def test_the_reconciler_polls_again_when_a_poll_message_was_lost(
    account, alice, enqueued, simulator
):
    simulator.step_seconds = 30
    op = request_create(account, alice, name="Missed poll")
    operations.submit_operation(op.pk)
    enqueued.clear()
    Operation.objects.filter(pk=op.pk).update(next_poll_at=timezone.now() - timedelta(minutes=1))
    assert polling.reconcile_operations()["polls"] == 1
    assert [(e.task, e.args) for e in enqueued] == [
        ("sites_app.poll_account_operations", (account.pk,))
    ]

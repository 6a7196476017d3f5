"""After a lost answer the portal never says "nothing was changed" while Gandi may still act."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from sites_app.models import Operation, OperationStatus
from sites_app.services import operations, polling, recovery
from tests.lifecycle.conftest import gandi_operation_count
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


def test_a_lost_send_with_nothing_at_gandi_after_the_grace_period_needs_attention(
    account, alice, enqueued, simulator
):
    op = request_create(account, alice, name="Never seen")
    long_ago = timezone.now() - timedelta(
        seconds=django_settings.GANDI_TIMEOUT + recovery.LOOK_GRACE.total_seconds() + 1
    )
    Operation.objects.filter(pk=op.pk).update(status=OperationStatus.CHECKING, claimed_at=long_ago)
    recovery.recover_operation(op.pk)
    op.refresh_from_db()
    assert op.status == OperationStatus.NEEDS_ATTENTION
    assert not op.can_retry
    assert "Check the sites at Gandi before" in op.last_error
    assert simulator.calls()["site.create"] == 0


def test_a_send_in_progress_on_a_live_worker_is_not_declared_stuck(account, alice, enqueued):
    op = request_create(account, alice, name="Mid call")
    # Claimed long past two client timeouts, but a worker may still be inside its task.
    claimed = timezone.now() - timedelta(seconds=django_settings.GANDI_TIMEOUT * 2 + 31)
    Operation.objects.filter(pk=op.pk).update(status=OperationStatus.SENDING, claimed_at=claimed)
    polling.reconcile_operations()
    op.refresh_from_db()
    assert op.status == OperationStatus.SENDING

    past_limit = timezone.now() - timedelta(
        seconds=django_settings.CELERY_TASK_TIME_LIMIT + polling.SENDING_MARGIN.total_seconds() + 1
    )
    Operation.objects.filter(pk=op.pk).update(claimed_at=past_limit)
    assert polling.reconcile_operations()["checking"] == 1
    op.refresh_from_db()
    assert op.status == OperationStatus.CHECKING


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
    queued = request_create(account, alice, name="Backlog one", key="backlog-0001")
    checking = request_create(account, alice, name="Backlog two", key="backlog-0002")
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

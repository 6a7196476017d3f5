"""A poll cycle costs a constant number of queries, and the next poll comes when Gandi's
`eta` says the operation should be done (issue 12, item 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sites_app.models import Operation, OperationStatus
from sites_app.services import operations, polling
from tests.lifecycle.conftest import MANAGED_DOMAIN
from tests.lifecycle.test_operation_service import request_create

pytestmark = pytest.mark.django_db


def in_flight(account, alice, count: int, first: int = 0) -> list[Operation]:
    ops = []
    for i in range(first, first + count):
        op = request_create(
            account, alice, name=f"Poll {i}", vhosts=[f"p{i}.{MANAGED_DOMAIN}"], key=f"poll-{i}"
        )
        operations.submit_operation(op.pk)
        ops.append(op)
    return ops


def poll_queries(account) -> int:
    with CaptureQueriesContext(connection) as queries:
        polling.poll_account_operations(account.pk)
    return len(queries)


def test_a_poll_cycle_costs_the_same_queries_for_3_and_for_30_operations(
    account, alice, enqueued, simulator, capsys
):
    simulator.step_seconds = 60  # they stay in flight
    in_flight(account, alice, 3)
    few = poll_queries(account)
    in_flight(account, alice, 27, first=3)
    many = poll_queries(account)
    with capsys.disabled():
        print(f"\n[figures] queries per poll cycle: {few} for 3 operations, {many} for 30")
    assert many == few
    steps = set(Operation.objects.values_list("gandi_step", "polls"))
    assert steps == {("BILL", 1), ("BILL", 2)}  # every row written, with Gandi's step


def test_a_poll_never_overwrites_a_row_that_ended_meanwhile(account, alice, enqueued, simulator):
    simulator.step_seconds = 60
    [op] = in_flight(account, alice, 1)
    info = account.client().operation_info(Operation.objects.get(pk=op.pk).gandi_operation_id)
    # Between the poll's read and its write, the row is cancelled.
    Operation.objects.filter(pk=op.pk).update(
        status=OperationStatus.CANCELLED, gandi_step="CANCEL", next_poll_at=None
    )
    polling._record_poll([op.pk], {op.pk: (info, timezone.now())})
    op.refresh_from_db()
    assert (op.status, op.gandi_step, op.next_poll_at) == (
        OperationStatus.CANCELLED,
        "CANCEL",
        None,
    )


def test_the_next_poll_is_due_when_gandis_eta_says_it_ends():
    assert polling.next_poll_delay(0, 0) == polling.poll_interval(0)  # no eta: the schedule
    assert polling.next_poll_delay(300, 2) == pytest.approx(2 + polling.ETA_MARGIN)  # not 10 s
    assert polling.next_poll_delay(300, 500) == polling.poll_interval(300)  # bounded
    assert polling.next_poll_delay(0, 1) == polling.poll_interval(0)  # never slower
    assert polling.next_poll_delay(5, 0) >= polling.SOONEST_POLL


def test_an_old_operation_close_to_its_end_is_polled_at_its_eta_not_seconds_later(
    account, alice, enqueued, simulator
):
    simulator.step_seconds = 1.0  # about 3 s to DONE
    [op] = in_flight(account, alice, 1)
    # Sent minutes ago, so the regular schedule would wait 10 s before the next look.
    Operation.objects.filter(pk=op.pk).update(submitted_at=timezone.now() - timedelta(minutes=5))
    before = timezone.now()
    polling.poll_account_operations(account.pk)
    op.refresh_from_db()
    assert op.gandi_eta <= 3
    assert op.next_poll_at <= before + timedelta(seconds=op.gandi_eta + 1)
    [next_poll] = [e for e in enqueued if e.task == "sites_app.poll_account_operations"][-1:]
    assert next_poll.kwargs["countdown"] <= op.gandi_eta + 1


def test_a_poll_marks_rows_whose_step_moved_as_changed(account, alice, enqueued, simulator):
    simulator.step_seconds = 60
    [moving, still] = in_flight(account, alice, 2)
    Operation.objects.filter(pk=moving.pk).update(gandi_step="")  # the portal saw no step yet
    long_ago = timezone.now() - timedelta(minutes=5)
    Operation.objects.update(updated_at=long_ago)
    polling.poll_account_operations(account.pk)
    moving.refresh_from_db()
    still.refresh_from_db()
    assert moving.gandi_step == "BILL"
    assert moving.updated_at > long_ago  # a page asking "what changed since" sees it
    assert still.updated_at == long_ago

"""Adoption is atomic: two workers adopting one Gandi operation for two rows at the same
moment, each on its own database connection, leave it with exactly one row (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from sites_app.gandi.records import OperationInfo
from sites_app.models import Operation, OperationStatus
from sites_app.services import operations
from tests.lifecycle.conftest import MANAGED_DOMAIN
from tests.lifecycle.test_operation_service import request_create

pytestmark = pytest.mark.django_db(transaction=True)


def gandi_operation(op_id: int) -> OperationInfo:
    now = timezone.now()
    return OperationInfo(
        id=op_id,
        type="sitebuilder_create",
        step="BILL",
        date_created=now,
        date_start=None,
        date_updated=now,
        eta=5,
        last_error=None,
        site_id=None,
        params={},
    )


def at_once(*calls):
    """Run each call in its own thread (its own connection), released together."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(5)
            results[index] = call()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_rows_adopting_one_gandi_operation_at_once_end_with_one_owner(
    account, alice, enqueued, simulator
):
    if connection.vendor != "postgresql":
        pytest.skip("race tests need PostgreSQL (two real connections); set DATABASE_URL")
    rows = [
        request_create(account, alice, name="Race", vhosts=[f"r{i}.{MANAGED_DOMAIN}"], key=f"r-{i}")
        for i in range(2)
    ]
    Operation.objects.filter(pk__in=[r.pk for r in rows]).update(status=OperationStatus.CHECKING)
    for row in rows:
        row.refresh_from_db()
    contested = gandi_operation(424242)
    results = at_once(*[lambda row=row: operations.adopt(row, contested) for row in rows])
    assert sorted(results, key=str) == [None, True]  # one adopted it; the other must look again
    holders = Operation.objects.filter(gandi_operation_id=424242)
    assert holders.count() == 1
    loser = Operation.objects.exclude(pk=holders.get().pk).get(pk__in=[r.pk for r in rows])
    assert loser.status == OperationStatus.CHECKING  # still looking, nothing sent again

"""A create is known at Gandi by its vhosts: two in-flight creates of one account may not
share one, and recovery never takes another create's operation for its own."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sites_app.models import Operation, OperationKind, OperationStatus
from sites_app.services import operations, recovery
from tests.lifecycle.conftest import MANAGED_DOMAIN, gandi_site
from tests.lifecycle.test_operation_service import request_create

pytestmark = pytest.mark.django_db


def test_a_create_sharing_a_vhost_with_one_in_flight_is_refused_in_plain_words(
    account, alice, enqueued
):
    request_create(account, alice, name="First", vhosts=[f"www.{MANAGED_DOMAIN}"], key="k-1")
    with pytest.raises(operations.OperationRefused) as refused:
        request_create(
            account,
            alice,
            name="Second",
            vhosts=[f"blog.{MANAGED_DOMAIN}", f"WWW.{MANAGED_DOMAIN}"],
            key="k-2",
        )
    assert f"www.{MANAGED_DOMAIN}" in refused.value.message
    assert "First" in refused.value.message
    assert refused.value.field == "vhosts"
    assert Operation.objects.filter(kind=OperationKind.CREATE).count() == 1
    # Once the first one has ended, the vhost may be asked for again.
    Operation.objects.update(status=OperationStatus.FAILED, retry_safe=True)
    request_create(account, alice, name="Second", vhosts=[f"www.{MANAGED_DOMAIN}"], key="k-3")


def test_recovery_does_not_take_a_same_named_sites_create_with_other_vhosts(
    account, alice, enqueued
):
    # Someone made "Twin" at Gandi with www + shop; the portal's lost create asked www + blog.
    gandi_site(account, "Twin", [f"www.{MANAGED_DOMAIN}", f"shop.{MANAGED_DOMAIN}"])
    op = request_create(
        account, alice, name="Twin", vhosts=[f"www.{MANAGED_DOMAIN}", f"blog.{MANAGED_DOMAIN}"]
    )
    Operation.objects.filter(pk=op.pk).update(
        status=OperationStatus.CHECKING, claimed_at=timezone.now(), attempts=1
    )
    op.refresh_from_db()
    assert recovery.look_for_sent(account.client(), op) is None


def test_a_look_asks_the_database_only_about_the_candidates_it_found(
    account, alice, enqueued, simulator
):
    # An account with a long history: many Gandi operations adopted by other rows.
    Operation.objects.bulk_create(
        Operation(
            account=account,
            kind=OperationKind.UPGRADE,
            params={},
            idempotency_key=f"old-{i}",
            status=OperationStatus.DONE,
            gandi_operation_id=900000 + i,
            deadline=timezone.now(),
        )
        for i in range(40)
    )
    op = request_create(account, alice, name="Looked", vhosts=[f"look.{MANAGED_DOMAIN}"])
    simulator.set_faults(fault_rate=1.0, fault_kinds="lost")
    operations.submit_operation(op.pk)
    simulator.set_faults(fault_rate=0.0)
    op.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        found = recovery.look_for_sent(account.client(), op)
    assert found is not None
    taken_queries = [q["sql"] for q in queries if '"gandi_operation_id"' in q["sql"]]
    assert taken_queries
    assert all(" IN (" in sql for sql in taken_queries)


@pytest.mark.django_db(transaction=True)
def test_two_creates_sharing_a_vhost_submitted_at_once_leave_one_row(account, alice, enqueued):
    from tests.lifecycle.test_adoption_race import at_once

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers, there is no race to lose")

    def submit(key: str):
        def call():
            try:
                request_create(account, alice, name=key, vhosts=[f"www.{MANAGED_DOMAIN}"], key=key)
            except operations.OperationRefused as exc:
                return exc.message
            return "accepted"

        return call

    results = at_once(submit("tab-1"), submit("tab-2"))
    assert sorted(r == "accepted" for r in results) == [False, True]
    assert Operation.objects.filter(kind=OperationKind.CREATE).count() == 1


def test_the_form_shows_the_refusal_next_to_the_vhosts_and_keeps_what_was_typed(
    client_for, alice, account, enqueued, simulator
):
    from django.urls import reverse

    from tests.lifecycle.conftest import post_create
    from tests.lifecycle.test_create_views import form_data

    client = client_for(alice)
    assert post_create(client, form_data(client)).status_code == 302
    # The check step says so before Gandi's dry run, next to the field.
    response = client.post(reverse("site_create"), form_data(client, name="Other shop"))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["vhosts"])
    assert f"www.{MANAGED_DOMAIN} is already asked for by" in errors
    assert "Other shop" in response.content.decode()
    assert Operation.objects.filter(kind=OperationKind.CREATE).count() == 1

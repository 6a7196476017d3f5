"""No person is needed when Gandi did nothing: after a 503 or a dropped connection on a
mutation, a look made once Gandi can no longer act that finds nothing sends the request
again, once per such proof. Gandi still acts at most once per row."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from sites_app.models import Operation, OperationStatus
from sites_app.services import operations, polling, recovery
from tests.lifecycle.conftest import MANAGED_DOMAIN, gandi_operation_count, run_to_the_end
from tests.lifecycle.test_operation_service import request_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def short_window(settings):
    # The same rule with a shorter wait, so the test does not sleep for seconds.
    settings.GANDI_LATE_ACT_SECONDS = 0.0
    return settings


@pytest.mark.parametrize("fault", ["http503", "drop"])
def test_a_create_gandi_did_nothing_with_is_sent_again_and_the_page_says_so(
    client_for, alice, account, enqueued, simulator, short_window, fault
):
    op = request_create(account, alice, name="Second chance", vhosts=[f"sc.{MANAGED_DOMAIN}"])
    simulator.set_faults(fault_rate=1.0, fault_kinds=fault)
    operations.submit_operation(op.pk)
    simulator.set_faults(fault_rate=0.0)
    op.refresh_from_db()
    assert op.status == OperationStatus.CHECKING

    recovery.recover_operation(op.pk)
    op.refresh_from_db()
    assert op.status == OperationStatus.QUEUED
    assert [e.task for e in enqueued if e.args == (op.pk,)][-1] == "sites_app.submit_operation"
    op = run_to_the_end(op)
    assert op.status == OperationStatus.DONE
    assert op.auto_resends == 1
    assert gandi_operation_count(account, "sitebuilder_create") == 1  # Gandi acted once
    page = client_for(alice).get(reverse("operation_detail", args=[op.pk])).content.decode()
    assert "found that Gandi had done nothing with it" in page
    assert "sent the request again automatically" in page
    assert f"sc.{MANAGED_DOMAIN}" in page  # what was looked at


def test_a_change_gandi_did_nothing_with_is_sent_again(
    alice, account, enqueued, simulator, short_window, synced_site
):
    op, _ = operations.request_operation(
        account=account,
        kind="upgrade",
        user=alice,
        params={"package": "professional"},
        idempotency_key="upgrade-after-503",
        site=synced_site,
    )
    simulator.set_faults(fault_rate=1.0, fault_kinds="http503")
    operations.submit_operation(op.pk)
    simulator.set_faults(fault_rate=0.0)
    recovery.recover_operation(op.pk)
    op = run_to_the_end(op)
    assert op.status == OperationStatus.DONE
    assert op.auto_resends == 1
    assert gandi_operation_count(account, "sitebuilder_update") == 1
    synced_site.refresh_from_db()
    assert synced_site.package == "professional"


def test_after_repeated_proofs_it_stops_with_a_safe_retry_not_a_puzzle(
    client_for, alice, account, enqueued, simulator, short_window
):
    op = request_create(account, alice, name="Unlucky", vhosts=[f"unlucky.{MANAGED_DOMAIN}"])
    for _ in range(recovery.MAX_AUTO_RESENDS + 1):
        simulator.set_faults(fault_rate=1.0, fault_kinds="http503")  # every send
        operations.submit_operation(op.pk)
        simulator.set_faults(fault_rate=0.0)  # but not the looks
        recovery.recover_operation(op.pk)
    op.refresh_from_db()
    assert op.status == OperationStatus.FAILED
    assert op.can_retry
    assert "nothing was changed" in op.last_error
    assert gandi_operation_count(account) == 0
    page = client_for(alice).get(reverse("operation_detail", args=[op.pk])).content.decode()
    assert 'data-testid="retry"' in page


def test_a_lost_answer_gandi_acted_on_is_adopted_never_sent_again(
    account, alice, enqueued, simulator, short_window
):
    op = request_create(account, alice, name="Acted", vhosts=[f"acted.{MANAGED_DOMAIN}"])
    simulator.set_faults(fault_rate=1.0, fault_kinds="lost")
    operations.submit_operation(op.pk)
    simulator.set_faults(fault_rate=0.0)
    recovery.recover_operation(op.pk)
    op = run_to_the_end(op)
    assert op.status == OperationStatus.DONE
    assert op.auto_resends == 0
    assert simulator.calls()["site.create"] == 1


def drive(ops: list[Operation], timeout: float = 60) -> list[Operation]:
    """Play worker and beat in this process until every row is final."""
    deadline = time.monotonic() + timeout
    while True:
        pending = [op for op in ops if not Operation.objects.get(pk=op.pk).is_final]
        if not pending:
            return [Operation.objects.get(pk=op.pk) for op in ops]
        for op in pending:
            status = Operation.objects.get(pk=op.pk).status
            if status == OperationStatus.QUEUED:
                operations.submit_operation(op.pk)
            elif status == OperationStatus.CHECKING:
                recovery.recover_operation(op.pk)
        polling.poll_account_operations(ops[0].account_id)
        if time.monotonic() > deadline:
            pytest.fail(f"still in flight: {[(op.pk, op.status) for op in pending]}")
        time.sleep(0.05)


def test_under_503s_drops_and_lost_replies_every_create_ends_done_once_and_no_one_is_needed(
    account, alice, enqueued, simulator, short_window, capsys
):
    short_window.GANDI_LATE_ACT_SECONDS = 0.2
    names = ["Alike", "Alike", "Alike", "Other", "Third", "Alike", "Fourth", "Other"]
    ops = [
        request_create(
            account, alice, name=name, vhosts=[f"c{i}.{MANAGED_DOMAIN}"], key=f"chaos-{i:04}"
        )
        for i, name in enumerate(names)
    ]
    simulator.set_faults(fault_rate=0.3, fault_kinds="http503,drop,lost", seed=8)
    ops = drive(ops)
    simulator.set_faults(fault_rate=0.0)

    statuses = [op.status for op in ops]
    with capsys.disabled():
        resent = sum(op.auto_resends for op in ops)
        print(
            f"\n[figures] {len(ops)} creates at 30 % faults: {statuses.count('done')} done, "
            f"{statuses.count('needs_attention')} needing a person, {resent} automatic re-sends"
        )
    assert statuses == [OperationStatus.DONE] * len(ops)
    # One Gandi operation and one site per row, each the row's own (by its vhost).
    assert gandi_operation_count(account, "sitebuilder_create") == len(ops)
    assert len({op.gandi_operation_id for op in ops}) == len(ops)
    for i, op in enumerate(ops):
        assert op.site.vhost_names()[0] == f"c{i}.{MANAGED_DOMAIN}"


def test_a_row_that_needs_a_person_says_what_was_looked_at_and_offers_a_sync(
    client_for, alice, member, account, enqueued, simulator
):
    from tests.lifecycle.conftest import gandi_site

    # A site with the request's vhost exists at Gandi, made by no operation the portal sees.
    op = request_create(account, alice, name="Orphan", vhosts=[f"orphan.{MANAGED_DOMAIN}"])
    Operation.objects.filter(pk=op.pk).update(status=OperationStatus.CHECKING)
    gandi_site(account, "Orphan", [f"orphan.{MANAGED_DOMAIN}"])
    simulator.store.operations.clear()  # Gandi forgot its operations
    recovery.recover_operation(op.pk)
    op.refresh_from_db()
    assert op.status == OperationStatus.NEEDS_ATTENTION
    assert f"orphan.{MANAGED_DOMAIN}" in op.error_detail  # what was looked at, for support

    page = client_for(alice).get(reverse("operation_detail", args=[op.pk])).content.decode()
    assert "What to do next" in page
    assert 'data-testid="sync-now"' in page
    viewer = client_for(member("viewer")).get(reverse("operation_detail", args=[op.pk]))
    assert "What to do next" in viewer.content.decode()
    assert 'data-testid="sync-now"' not in viewer.content.decode()  # viewers may not sync


def test_a_change_made_at_gandi_after_the_window_is_not_taken_for_the_lost_one(
    alice, account, enqueued, simulator, synced_site
):
    from datetime import timedelta

    from django.utils import timezone

    op, _ = operations.request_operation(
        account=account,
        kind="upgrade",
        user=alice,
        params={"package": "professional"},
        idempotency_key="upgrade-window",
        site=synced_site,
    )
    # Its call was lost minutes ago (more than the clock skew allowed for); now someone
    # upgrades the site at Gandi directly.
    long_ago = timezone.now() - timedelta(minutes=5)
    Operation.objects.filter(pk=op.pk).update(
        status=OperationStatus.CHECKING, claimed_at=long_ago, lease_until=long_ago
    )
    outside = account.client().site_update(synced_site.gandi_id, package="professional")
    recovery.recover_operation(op.pk)
    op.refresh_from_db()
    assert op.gandi_operation_id != outside.id

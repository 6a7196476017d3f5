"""A vhost change is applied to the site's vhosts as Gandi has them when it is sent."""

from __future__ import annotations

import time

import pytest

from sites_app.models import OperationKind, OperationStatus
from sites_app.services import operations
from sites_app.services.hostnames import rebase_vhost_change
from tests.lifecycle.conftest import MANAGED_DOMAIN, run_to_the_end

pytestmark = pytest.mark.django_db

WWW, SHOP, BLOG = (f"{label}.{MANAGED_DOMAIN}" for label in ("www", "shop", "blog"))


def wait_done(client, gandi_op) -> None:
    deadline = time.monotonic() + 20
    while gandi_op.step not in ("DONE", "ERROR"):
        assert time.monotonic() < deadline, gandi_op
        time.sleep(0.05)
        gandi_op = client.operation_info(gandi_op.id)
    assert gandi_op.step == "DONE", gandi_op


def test_a_vhost_added_at_gandi_before_the_send_survives_a_reorder(
    account, alice, enqueued, synced_site
):
    stored = synced_site.vhost_names()  # www, shop, the parking vhost
    wanted = [SHOP, WWW] + [v for v in stored if v not in (WWW, SHOP)]
    op, _ = operations.request_operation(
        account=account,
        kind=OperationKind.UPDATE_VHOSTS,
        user=alice,
        params={"vhosts": wanted, "added_vhosts": [], "based_on": stored},
        idempotency_key="prefer-shop-0001",
        site=synced_site,
    )
    # Someone adds a vhost at Gandi between the request and its send.
    client = account.client()
    wait_done(client, client.site_update(synced_site.gandi_id, vhosts=[*stored, BLOG]))

    op = run_to_the_end(op)
    assert op.status == OperationStatus.DONE, op.last_error
    at_gandi = client.site_info(synced_site.gandi_id).vhosts
    assert at_gandi[0] == SHOP  # the requested change
    assert BLOG in at_gandi  # and the change made at Gandi meanwhile
    synced_site.refresh_from_db()
    assert BLOG in synced_site.vhost_names()


def test_a_rebase_keeps_the_requested_adds_removals_and_order():
    based_on = ["a.example", "b.example", "park.example"]
    requested = ["c.example", "a.example", "park.example"]  # add c first, remove b
    current = ["a.example", "b.example", "park.example", "new.example"]
    assert rebase_vhost_change(requested, based_on, current) == [
        "c.example",
        "a.example",
        "park.example",
        "new.example",
    ]


def test_a_rebase_does_not_bring_back_a_vhost_removed_at_gandi():
    based_on = ["a.example", "b.example", "park.example"]
    requested = ["b.example", "a.example", "park.example"]
    current = ["a.example", "park.example"]  # b went away at Gandi meanwhile
    assert rebase_vhost_change(requested, based_on, current) == ["a.example", "park.example"]


def test_without_a_base_the_requested_list_is_sent_as_is():
    assert rebase_vhost_change(["a.example"], None, ["z.example"]) == ["a.example"]

"""Operations: info, list, count, cancel, and batched polling of many at once."""

from __future__ import annotations

from datetime import UTC, datetime

from sites_app.gandi.client import FINAL_STEPS
from sites_app.gandi.records import parse_operation

from .conftest import wait_until_final

PARKING = "basekit-site.example"


def start_creates(client, count: int) -> list[int]:
    return [
        client.site_create(name=f"Site {n}", vhosts=[f"site{n}.{PARKING}"]).id for n in range(count)
    ]


def test_operation_info_follows_the_steps_to_done(client):
    op = client.site_create(name="Steps", vhosts=[f"steps.{PARKING}"])
    done = wait_until_final(client, op.id)

    assert done.id == op.id
    assert done.step == "DONE" and done.is_final and done.is_known_step
    assert done.site_id == op.site_id
    assert done.date_start is not None and done.date_start.tzinfo is UTC
    assert done.last_error is None
    assert "key" not in done.params and done.params["name"] == "Steps"


def test_operation_list_filters_by_type_and_counts(client):
    ids = start_creates(client, 3)
    wait_until_final(client, ids[-1])
    client.site_delete(client.operation_info(ids[0]).site_id)

    creates = client.operation_list({"type": "sitebuilder_create"}, sort_by="id")
    assert [op.id for op in creates] == ids
    assert client.operation_count() == 4
    assert client.operation_count({"type": "sitebuilder_delete"}) == 1


def test_operations_by_id_asks_once_per_500_ids(client, simulator):
    ids = start_creates(client, 3)
    before = simulator.calls()["operation.list"]

    found = client.operations_by_id([*ids, *range(10_000, 11_000)])

    assert sorted(found) == ids  # unknown ids are simply absent
    assert simulator.calls()["operation.list"] - before == 3  # 1,003 ids in 3 calls
    assert all(op.step in {"BILL", "WAIT", "RUN", "DONE"} for op in found.values())


def test_operations_by_id_with_no_ids_makes_no_call(client, simulator):
    assert client.operations_by_id([]) == {}
    assert simulator.calls()["operation.list"] == 0


def test_an_operation_can_be_cancelled_while_it_waits(client, simulator):
    simulator.step_seconds = 5
    op = client.site_create(name="Changed my mind", vhosts=[f"mind.{PARKING}"])

    assert client.operation_cancel(op.id) is True

    assert client.operation_info(op.id).step == "CANCEL"


def test_find_operations_lists_an_accounts_operations_of_a_type_since_a_time(client):
    before = datetime.now(UTC)
    ids = start_creates(client, 2)

    found = client.find_operations(type="sitebuilder_create", since=before)
    for_site = client.find_operations(
        type="sitebuilder_create", site_id=client.operation_info(ids[1]).site_id
    )

    assert sorted(op.id for op in found) == ids
    assert [op.id for op in for_site] == [ids[1]]
    assert client.find_operations(type="sitebuilder_delete") == []


def test_an_operation_without_site_id_and_with_an_unknown_step_still_parses():
    op = parse_operation(
        {"id": "12", "type": "sitebuilder_create", "step": "PAUSED", "eta": None, "extra": 1}
    )

    assert op.id == 12 and op.site_id is None and op.eta == 0 and op.params == {}
    assert not op.is_known_step and not op.is_final
    assert "PAUSED" not in FINAL_STEPS

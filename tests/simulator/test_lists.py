"""Filters, paging and sorting of §3 on site.list/count, operation.list/count, packages."""

from datetime import UTC, datetime, timedelta

import pytest

from .conftest import create_site, fault_of, wait_until_final


@pytest.fixture
def three_sites(simulator, api, key):
    simulator.step_seconds = 0  # operations end at once: these tests are about lists
    names = ["Bakery", "Alpha shop", "Cafe Bar"]
    return [create_site(api, key, name, [f"s{i}.mine.example"]) for i, name in enumerate(names)]


def test_equality_on_name_finds_one_site(api, key, three_sites):
    found = api.site.list(key, {"name": "Cafe Bar"})

    assert [s["id"] for s in found] == [three_sites[2]["id"]]
    assert found[0]["vhost"] == "s2.mine.example"  # the preferred vhost comes first


def test_a_list_value_means_in(api, key, three_sites):
    ids = [three_sites[0]["id"], three_sites[2]["id"]]

    assert sorted(s["id"] for s in api.site.list(key, {"id": ids})) == ids
    assert api.site.count(key, {"id": ids}) == 2


def test_tilde_is_a_case_insensitive_like_with_percent(api, key, three_sites):
    assert {s["name"] for s in api.site.list(key, {"~name": "%a%"})} == {
        "Bakery",
        "Alpha shop",
        "Cafe Bar",
    }
    assert [s["name"] for s in api.site.list(key, {"~name": "ca%"})] == ["Cafe Bar"]
    assert api.site.count(key, {"~name": "%shop"}) == 1


def test_greater_and_lower_than_compare_ids_and_dates(api, key, three_sites):
    middle = three_sites[1]["id"]
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")

    assert [s["id"] for s in api.site.list(key, {">id": middle})] == [three_sites[2]["id"]]
    assert [s["id"] for s in api.site.list(key, {"<id": middle})] == [three_sites[0]["id"]]
    assert api.site.count(key, {"<date_created": tomorrow}) == 3
    assert api.site.count(key, {">date_created": tomorrow}) == 0


def test_sort_by_name_ascending_and_descending(api, key, three_sites):
    ascending = [s["name"] for s in api.site.list(key, {"sort_by": "name"})]
    descending = [s["name"] for s in api.site.list(key, {"sort_by": "name desc"})]

    assert ascending == ["Alpha shop", "Bakery", "Cafe Bar"]
    assert descending == list(reversed(ascending))


def test_pages_are_zero_based_and_cut_by_items_per_page(api, key, three_sites):
    pages = [
        [s["id"] for s in api.site.list(key, {"items_per_page": 2, "page": p, "sort_by": "id"})]
        for p in range(3)
    ]

    assert pages == [[three_sites[0]["id"], three_sites[1]["id"]], [three_sites[2]["id"]], []]


@pytest.mark.parametrize(
    "opts",
    [
        {"colour": "red"},
        {"~state": "%act%"},
        {">vhost": "a"},
        {"items_per_page": 501},
        {"items_per_page": 0},
        {"page": -1},
        {"sort_by": "vhost"},
        {"sort_by": "name sideways"},
        {"id": "not a number"},
        {"<date_created": "yesterday"},
    ],
)
def test_unknown_filters_and_bad_paging_are_bad_parameter_faults(api, key, opts):
    fault = fault_of(api.site.list, key, opts)

    assert str(fault.faultCode).startswith("5")
    assert str(fault.faultCode).endswith("37")


def test_options_that_are_not_a_struct_are_refused(api, key):
    assert fault_of(api.site.count, key, ["name"]).faultCode == 500137


def test_a_site_id_filter_accepts_numeric_strings(api, key, three_sites):
    assert api.site.count(key, {"id": str(three_sites[0]["id"])}) == 1


def test_operations_filter_by_id_list_step_type_and_site(api, key, three_sites):
    first = three_sites[0]
    op = api.site.delete(key, first["id"])
    wait_until_final(api, key, op)

    deletes = api.operation.list(key, {"type": "sitebuilder_delete"})
    assert [o["id"] for o in deletes] == [op["id"]]
    assert api.operation.count(key, {"site_id": first["id"]}) == 2
    assert api.operation.count(key, {"step": ["DONE", "ERROR"]}) == 4
    assert api.operation.count(key, {"step": "BILL"}) == 0
    batch = api.operation.list(key, {"id": [op["id"], 999], "items_per_page": 500})
    assert [o["id"] for o in batch] == [op["id"]]


def test_operations_sort_by_date_created_desc_lists_the_newest_first(api, key, three_sites):
    ids = [o["id"] for o in api.operation.list(key, {"sort_by": "id desc"})]
    by_date = [o["id"] for o in api.operation.list(key, {"sort_by": "date_created desc"})]

    assert ids == sorted(ids, reverse=True)
    assert by_date[-1] == min(ids)


def test_operations_filter_by_dates(api, key, three_sites):
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")

    assert api.operation.count(key, {">date_created": an_hour_ago}) == 3
    assert api.operation.count(key, {"<date_updated": an_hour_ago}) == 0


def test_a_list_only_shows_the_keys_own_sites_and_operations(simulator, api, key, three_sites):
    stranger = simulator.add_account()

    assert api.site.list(stranger) == []
    assert api.operation.count(stranger) == 0


def test_package_list_lists_offers_in_order_and_those_above_one(api, key):
    every = api.site.package.list(key)
    above = api.site.package.list(key, {"provider": "basekit_whitelabel", ">name": "professional"})

    assert [p["name"] for p in every] == ["personal", "professional", "business"]
    assert above == [{"name": "business", "provider": "basekit_whitelabel"}]
    assert api.site.package.list(key, {"provider": "wix"}) == []
    assert fault_of(api.site.package.list, key, {">name": "platinum"}).faultCode == 560637

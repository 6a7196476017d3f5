"""Many sites at once (benchmarks, load tests), listed like any others."""

import argparse

from sites_app.gandi.simulator import cli

from .conftest import proxy


def test_seeded_sites_are_active_and_listed_page_by_page_after_an_id(simulator, key, api):
    ids = simulator.seed_sites(key, 1200, prefix="Load")

    assert api.site.count(key) == 1200
    first = api.site.list(key, {"items_per_page": 500, "sort_by": "id"})
    after = api.site.list(key, {">id": first[-1]["id"], "items_per_page": 500, "sort_by": "id"})
    last = api.site.list(key, {">id": after[-1]["id"], "items_per_page": 500, "sort_by": "id"})
    assert [s["id"] for s in first + after + last] == ids
    assert {s["state"] for s in first} == {"active"}
    info = api.site.info(key, ids[0])
    assert info["vhosts"] == [info["parking_vhost"]] == [f"load-{ids[0]}.basekit-site.example"]


def test_a_list_with_a_date_filter_still_compares_dates(simulator, key, api):
    simulator.seed_sites(key, 3)
    end = api.site.list(key, {"sort_by": "date_end"})[0]["date_end"]

    assert len(api.site.list(key, {"<date_end": end.strftime("%Y-%m-%d %H:%M:%S")})) == 0
    assert len(api.site.list(key, {"~name": "seeded%", "state": "active"})) == 3


def test_the_command_line_seeds_sites_for_its_accounts(tmp_path):
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    options = parser.parse_args(
        ["--state", str(tmp_path / "s.json"), "--api-key", "Seed" * 6, "--seed-sites", "25"]
    )
    simulator = cli.build(options).start()
    try:
        assert proxy(simulator).site.count("Seed" * 6) == 25
    finally:
        simulator.stop()

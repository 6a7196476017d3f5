"""Dry runs, and proving domain ownership with a TXT record on the simulator's DNS server."""

from __future__ import annotations

import pytest

from sites_app.gandi import errors
from sites_app.gandi.client import Problem, TxtRecord

from .conftest import wait_until_final

PARKING = "basekit-site.example"


def test_a_valid_create_dry_run_has_no_problems(client):
    assert client.site_create_dry_run(name="Fine", vhosts=[f"fine.{PARKING}"]) == []
    assert client.site_count() == 0  # a dry run creates nothing


def test_a_foreign_domain_needs_a_txt_record_and_the_problem_says_which(client):
    problems = client.site_create_dry_run(name="Shop", vhosts=["www.example.com"])

    assert len(problems) == 1
    problem = problems[0]
    assert isinstance(problem, Problem)
    assert problem.field == "vhosts"
    record = problem.txt_record
    assert isinstance(record, TxtRecord)
    assert record.name == "www.example.com"
    assert record.value.startswith("vhost=") and len(record.value) == 6 + 32
    assert record.ttl == 10800
    assert record.zone_line == f'www.example.com. 10800 IN TXT "{record.value}"'


def test_the_txt_value_is_stable_for_the_same_account_and_vhost(client):
    first = client.site_create_dry_run(name="A", vhosts=["www.example.com"])[0].txt_record
    again = client.site_create_dry_run(name="B", vhosts=["www.example.com"])[0].txt_record

    assert first == again


def test_a_create_without_the_txt_record_is_refused_until_dns_shows_it(client, simulator):
    with pytest.raises(errors.OwnershipNotProvenError) as refused:
        client.site_create(name="Shop", vhosts=["www.example.com"])
    assert "TXT record" in refused.value.message

    record = client.site_create_dry_run(name="Shop", vhosts=["www.example.com"])[0].txt_record
    simulator.publish_txt(record.name, record.value)

    assert client.site_create_dry_run(name="Shop", vhosts=["www.example.com"]) == []
    op = client.site_create(name="Shop", vhosts=["www.example.com"])
    assert wait_until_final(client, op.id).step == "DONE"
    site = client.site_info(op.site_id)
    assert site.vhosts[0] == "www.example.com"
    assert site.parking_vhost in site.vhosts  # Gandi adds the parking vhost itself


def test_a_domain_managed_at_gandi_needs_no_txt_record(simulator):
    from .conftest import quick_client

    key = simulator.add_account(gandi_domains=["managed.test"])
    client = quick_client(simulator.url, key)

    assert client.site_create_dry_run(name="Mine", vhosts=["www.managed.test"]) == []


def test_bad_input_comes_back_as_problems_not_faults(client):
    problems = client.site_create_dry_run(
        name="", vhosts=["not a host name"], package="platinum", duration="99y"
    )

    fields = {problem.field for problem in problems}
    assert {"name", "vhosts", "package", "duration"} <= fields
    assert all(problem.reason for problem in problems)
    assert all(problem.txt_record is None for problem in problems)


def test_an_update_dry_run_reports_a_downgrade_and_a_missing_parking_vhost(client):
    op = client.site_create(name="Up", vhosts=[f"up.{PARKING}"], package="professional")
    wait_until_final(client, op.id)

    problems = client.site_update_dry_run(op.site_id, vhosts=["www.up.test"], package="personal")

    assert {problem.field for problem in problems} >= {"vhosts", "package"}
    assert client.site_info(op.site_id).package == "professional"


def test_an_update_needs_something_to_change(client):
    with pytest.raises(ValueError):
        client.site_update(1)

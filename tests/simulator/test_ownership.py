"""Dry run (§6) and domain ownership through real DNS: the simulator's own DNS server."""

import dns.resolver

from .conftest import create_site, fault_of, wait_until_final


def dry_create(api, key, **params):
    return api.site.create(key, {"name": "My Site", "--dry-run": True, **params})


def test_a_valid_dry_run_returns_no_problem_and_creates_nothing(api, key):
    assert dry_create(api, key, vhosts=["www.mine.example"]) == []
    assert api.site.count(key) == 0
    assert api.operation.count(key) == 0


def test_the_dry_run_lists_every_problem_at_once(api, key):
    problems = dry_create(
        api, key, name="", package="gold", duration="99m", vhosts=["bad host", "ok.mine.example"]
    )

    assert [(p["field"], p.get("attr")) for p in problems] == [
        ("name", None),
        ("package", None),
        ("duration", None),
        ("vhosts", ["bad host"]),
    ]
    assert all(p["reason"] for p in problems)


def test_the_txt_value_is_stable_per_account_and_vhost(simulator, api, key):
    first = dry_create(api, key, vhosts=["www.example.com"])[0]["attr"]
    again = dry_create(api, key, vhosts=["www.example.com"])[0]["attr"]
    other_vhost = dry_create(api, key, vhosts=["shop.example.com"])[0]["attr"]
    other_account = dry_create(api, simulator.add_account(), vhosts=["www.example.com"])[0]

    assert first == again
    assert first[1] != other_vhost[1]
    assert first[1] != other_account["attr"][1]


def test_publishing_the_record_in_the_zone_file_lets_the_create_succeed(simulator, api, key):
    record_name, value = dry_create(api, key, vhosts=["www.example.com"])[0]["attr"]
    assert (
        fault_of(api.site.create, key, {"name": "My Site", "vhosts": [record_name]}).faultCode
        == 580142
    )

    simulator.publish_txt(record_name, value)

    assert dry_create(api, key, vhosts=["www.example.com"]) == []
    op = api.site.create(key, {"name": "My Site", "vhosts": ["www.example.com"]})
    assert wait_until_final(api, key, op)["step"] == "DONE"


def test_a_wrong_txt_value_does_not_prove_ownership(simulator, api, key):
    simulator.publish_txt("www.example.com", "vhost=00000000000000000000000000000000")

    problems = dry_create(api, key, vhosts=["www.example.com"])

    assert problems[0]["reason"] == "You must put a TXT value in your zone"


def test_the_local_dns_server_answers_the_zone_and_nxdomain_outside_it(simulator):
    simulator.publish_txt("www.example.com", "vhost=abc")
    resolver = dns.resolver.Resolver(configure=False)
    host, port = simulator.dns_address.split(":")
    resolver.nameservers, resolver.port, resolver.lifetime = [host], int(port), 2

    answer = resolver.resolve("www.example.com", "TXT")
    assert [b"".join(r.strings) for r in answer] == [b"vhost=abc"]
    try:
        resolver.resolve("elsewhere.example.net", "TXT")
        raise AssertionError("a name outside the zone resolved")
    except dns.resolver.NXDOMAIN:
        pass


def test_the_zone_file_is_re_read_when_a_person_edits_it_by_hand(simulator, api, key):
    value = dry_create(api, key, vhosts=["www.example.com"])[0]["attr"][1]
    with simulator.zone_file.open("a") as zone:
        zone.write("$TTL 10800\n")
        zone.write(f'www.example.com. 10800 IN TXT "{value}"\n')

    assert dry_create(api, key, vhosts=["www.example.com"]) == []


def test_vhosts_on_the_accounts_gandi_domains_need_no_txt(api, key):
    assert dry_create(api, key, vhosts=["mine.example", "shop.mine.example"]) == []


def test_parking_vhosts_need_no_txt_but_are_first_come_first_served(simulator, api, key):
    assert dry_create(api, key, vhosts=["bakery.basekit-site.example"]) == []
    create_site(api, key, "Bakery", ["bakery.basekit-site.example"])

    problems = dry_create(api, simulator.add_account(), vhosts=["bakery.basekit-site.example"])

    assert problems[0]["attr"] == ["bakery.basekit-site.example"]
    assert "already used" in problems[0]["reason"]


def test_a_site_gets_a_unique_parking_vhost_derived_from_its_name(api, key):
    first = create_site(api, key, "Café Crème", ["one.mine.example"])
    second = create_site(api, key, "Café Crème", ["two.mine.example"])

    assert first["parking_vhost"] == "cafe-creme.basekit-site.example"
    assert second["parking_vhost"] == "cafe-creme-2.basekit-site.example"
    assert first["vhosts"] == ["one.mine.example", "cafe-creme.basekit-site.example"]


def test_a_parking_vhost_listed_by_the_caller_is_kept_as_the_sites_own(api, key):
    site = create_site(api, key, "Mine", ["mine.basekit-site.example", "www.mine.example"])

    assert site["parking_vhost"] == "mine.basekit-site.example"
    assert site["vhosts"] == ["mine.basekit-site.example", "www.mine.example"]


def test_an_update_dry_run_checks_only_the_added_vhosts(simulator, api, key):
    site = create_site(api, key)
    keep = [*site["vhosts"]]

    problems = api.site.update(
        key, site["id"], {"vhosts": [*keep, "www.new.example"], "--dry-run": True}
    )

    assert [p["attr"][0] for p in problems] == ["www.new.example"]
    simulator.publish_txt("www.new.example", problems[0]["attr"][1])
    assert (
        api.site.update(key, site["id"], {"vhosts": [*keep, "www.new.example"], "--dry-run": True})
        == []
    )


def test_an_update_dry_run_reports_a_downgrade_and_a_removed_parking_vhost(api, key):
    site = create_site(api, key, package="business")

    problems = api.site.update(
        key, site["id"], {"vhosts": ["www.mine.example"], "package": "personal", "--dry-run": True}
    )

    assert [p["field"] for p in problems] == ["vhosts", "package"]


def test_a_silent_name_server_yields_the_txt_problem_without_stalling_other_callers(tmp_path):
    import socket
    import threading
    import time

    from sites_app.gandi.simulator import Simulator

    from .conftest import proxy

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))  # receives queries, never answers
        slow = Simulator(
            state_path=tmp_path / "s.json",
            dns_host="127.0.0.1",
            dns_port=silent.getsockname()[1],
            dns_timeout=1.0,
        ).start()
        try:
            key = slow.add_account()
            results = []
            checking = threading.Thread(
                target=lambda: results.append(
                    dry_create(proxy(slow), key, vhosts=["www.example.com"])
                )
            )
            checking.start()
            time.sleep(0.1)

            started = time.monotonic()
            proxy(slow).version.info(key)
            other_call_took = time.monotonic() - started
            checking.join(10)
        finally:
            slow.stop()

    assert other_call_took < 0.5
    assert results[0][0]["reason"] == "You must put a TXT value in your zone"

"""Operations on a clock, their effects on sites and credit, cancel, restart persistence."""

import time
import urllib.error
import urllib.request

import pytest

from .conftest import create_site, fault_of, proxy, wait_until_final


def steps_seen(api, key, op, timeout=10.0):
    seen = [op["step"]]
    deadline = time.monotonic() + timeout
    while seen[-1] not in ("DONE", "ERROR", "SUPPORT", "CANCEL"):
        assert time.monotonic() < deadline
        time.sleep(0.01)
        step = api.operation.info(key, op["id"])["step"]
        if step != seen[-1]:
            seen.append(step)
    return seen


def test_a_create_walks_bill_wait_run_done_and_the_site_becomes_active(simulator, api, key):
    simulator.step_seconds = 0.15
    op = api.site.create(key, {"name": "Walk", "vhosts": ["walk.mine.example"]})

    assert op["site_id"] and op["params"]["name"] == "Walk"
    assert "apikey" not in str(op["params"]) and key not in str(op)
    assert op["eta"] > 0 and op["date_start"] is None
    assert api.site.info(key, op["site_id"])["state"] == "being_created"
    assert steps_seen(api, key, op) == ["BILL", "WAIT", "RUN", "DONE"]
    done = api.operation.info(key, op["id"])
    assert done["eta"] == 0 and done["date_start"] is not None
    assert api.site.info(key, op["site_id"])["state"] == "active"


def test_a_create_is_charged_at_catalog_prices(simulator, api, key):
    before = simulator.credit(key)
    price = api.catalog.list(
        key,
        {
            "product": {"type": "site", "description": "basekit_whitelabel_professional"},
            "action": {"name": "create", "duration": 3},
        },
    )
    monthly = price[0]["unit_price"][0]["price"]

    create_site(api, key, package="professional", duration="3m")

    assert simulator.credit(key) == pytest.approx(before - 3 * monthly)


def test_an_operation_that_ends_in_error_removes_the_new_site_and_refunds(simulator, api, key):
    simulator.set_faults(op_error_rate=1.0)
    before = simulator.credit(key)

    op = wait_until_final(
        api, key, api.site.create(key, {"name": "Doomed", "vhosts": ["d.mine.example"]})
    )

    assert op["step"] == "ERROR"
    assert op["last_error"]
    assert fault_of(api.site.info, key, op["site_id"]).faultCode == 560042
    assert simulator.credit(key) == before


def test_an_operation_that_ends_in_support_leaves_the_site_stuck(simulator, api, key):
    simulator.set_faults(op_support_rate=1.0)

    op = wait_until_final(
        api, key, api.site.create(key, {"name": "Stuck", "vhosts": ["s.mine.example"]})
    )

    assert op["step"] == "SUPPORT"
    assert api.site.info(key, op["site_id"])["state"] == "being_created"


def test_an_update_changes_vhosts_only_when_done(simulator, api, key):
    site = create_site(api, key)
    simulator.step_seconds = 0.2
    new_vhosts = ["shop.mine.example", site["parking_vhost"]]

    op = api.site.update(key, str(site["id"]), {"vhosts": new_vhosts})

    during = api.site.info(key, site["id"])
    assert (during["state"], during["vhosts"]) == ("being_updated", site["vhosts"])
    assert wait_until_final(api, key, op)["step"] == "DONE"
    after = api.site.info(key, site["id"])
    assert (after["state"], after["vhosts"]) == ("active", new_vhosts)


def test_a_package_upgrade_is_billed_and_applied(simulator, api, key):
    site = create_site(api, key, duration="2m")
    before = simulator.credit(key)

    op = api.site.update(key, site["id"], {"package": "professional"})

    assert simulator.credit(key) == pytest.approx(before - 2 * 5.00)
    wait_until_final(api, key, op)
    assert api.site.info(key, site["id"])["package"] == "professional"


def test_a_delete_removes_the_site_and_frees_its_vhosts(simulator, api, key):
    site = create_site(api, key, "Gone", ["gone.basekit-site.example"])

    op = wait_until_final(api, key, api.site.delete(key, site["id"]))

    assert op["step"] == "DONE"
    assert fault_of(api.site.info, key, site["id"]).faultCode == 560042
    create_site(api, simulator.add_account(), "Next", ["gone.basekit-site.example"])


def test_cancelling_a_create_while_billing_refunds_and_removes_the_site(simulator, api, key):
    simulator.step_seconds = 5
    before = simulator.credit(key)
    op = api.site.create(key, {"name": "Never", "vhosts": ["n.mine.example"], "duration": "1y"})
    assert simulator.credit(key) < before

    assert api.operation.cancel(key, op["id"]) is True

    assert api.operation.info(key, op["id"])["step"] == "CANCEL"
    assert simulator.credit(key) == before
    assert api.site.count(key) == 0


def test_cancelling_an_update_keeps_the_site_as_it_was(simulator, api, key):
    site = create_site(api, key)
    simulator.step_seconds = 5
    op = api.site.update(key, site["id"], {"vhosts": [site["parking_vhost"]]})

    api.operation.cancel(key, op["id"])

    after = api.site.info(key, site["id"])
    assert (after["state"], after["vhosts"]) == ("active", site["vhosts"])


def test_a_restart_loses_nothing_and_operations_carry_on(simulator, key):
    api = proxy(simulator)
    simulator.step_seconds = 0.3
    op = api.site.create(key, {"name": "Durable", "vhosts": ["durable.mine.example"]})
    url = simulator.url

    simulator.restart()

    assert simulator.url == url
    api = proxy(simulator)
    assert api.site.info(key, op["site_id"])["name"] == "Durable"
    assert wait_until_final(api, key, api.operation.info(key, op["id"]))["step"] == "DONE"
    assert api.site.info(key, op["site_id"])["state"] == "active"


def test_operations_survive_a_stop_and_a_new_simulator_on_the_same_state_file(
    simulator, key, tmp_path
):
    from sites_app.gandi.simulator import Simulator

    api = proxy(simulator)
    simulator.step_seconds = 0.2
    op = api.site.create(key, {"name": "Again", "vhosts": ["again.mine.example"]})
    simulator.stop()

    second = Simulator(state_path=simulator.state_path, step_seconds=99).start()
    try:
        api = proxy(second)
        assert wait_until_final(api, key, api.operation.info(key, op["id"]))["step"] == "DONE"
    finally:
        second.stop()


def test_an_edit_link_works_once_then_is_gone(api, key):
    site = create_site(api, key)
    url = api.site.edit(key, site["id"])["edit_url"]

    with urllib.request.urlopen(url, timeout=5) as first:
        assert "My Site" in first.read().decode()
    with pytest.raises(urllib.error.HTTPError) as second:
        urllib.request.urlopen(url, timeout=5)
    assert second.value.code == 410


def test_an_edit_link_expires_after_five_minutes(simulator, api, key):
    site = create_site(api, key)
    url = api.site.edit(key, site["id"])["edit_url"]
    simulator.api.clock = lambda: time.time() + 301

    with pytest.raises(urllib.error.HTTPError) as opened:
        urllib.request.urlopen(url, timeout=5)
    assert opened.value.code == 410


def test_the_state_file_is_valid_json_after_each_mutation(simulator, api, key):
    import json

    create_site(api, key)

    state = json.loads(simulator.state_path.read_text())
    assert len(state["sites"]) == 1
    assert not list(simulator.state_path.parent.glob(".sim-state-*"))  # no temporary left over

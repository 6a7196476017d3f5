"""Every fault of the contract's §2, with Gandi's fault-string format."""

import re

import pytest

from .conftest import create_site, fault_of, proxy, wait_until_final

GANDI_FORMAT = re.compile(r"^Error on object : OBJECT_[A-Z_]+ \(CAUSE_[A-Z_]+\) \[.+\]$")


def test_an_unknown_method_is_fault_1_in_gandis_words(api, key):
    fault = fault_of(api.site.frobnicate, key)

    assert fault.faultCode == 1
    assert fault.faultString == 'Method "site.frobnicate" is not supported'


@pytest.mark.parametrize("bad_key", ["short", "x" * 23 + "!", "a" * 25, 42, None])
def test_a_key_that_is_not_24_alphanumerics_is_501237(api, bad_key):
    fault = fault_of(api.site.count, bad_key)

    assert fault.faultCode == 501237
    assert fault.faultString.startswith("Error on object : OBJECT_STRING (CAUSE_BADPARAMETER)")


def test_a_call_without_any_argument_is_501237(api):
    assert fault_of(api.version.info).faultCode == 501237


def test_an_unknown_key_is_510150_invalid_api_key(api):
    fault = fault_of(api.site.list, "A" * 24)

    assert fault.faultCode == 510150
    assert fault.faultString == "Error on object : OBJECT_ACCOUNT (CAUSE_NORIGHT) [Invalid API key]"


def test_a_revoked_key_is_510150(simulator, api, key):
    simulator.revoke_account(key)

    assert fault_of(api.version.info, key).faultCode == 510150


def test_creating_without_enough_credit_is_530040_and_charges_nothing(simulator, api):
    poor = simulator.add_account(credit=10)

    fault = fault_of(
        api.site.create, poor, {"name": "S", "vhosts": ["a.basekit-site.example"], "duration": "3m"}
    )

    assert fault.faultCode == 530040
    assert GANDI_FORMAT.match(fault.faultString)
    assert simulator.credit(poor) == 10
    assert api.site.count(poor) == 0


def test_an_upgrade_without_enough_credit_is_530040(simulator, api):
    account = simulator.add_account(credit=4.99)
    site = create_site(api, account, "Cheap", ["cheap.basekit-site.example"])
    assert simulator.credit(account) == 0

    fault = fault_of(api.site.update, account, site["id"], {"package": "business"})

    assert fault.faultCode == 530040


@pytest.mark.parametrize(
    "vhost", ["not a host", "nodot", "-bad.example.com", "x" * 64 + ".com", "www.example.123"]
)
def test_an_invalid_vhost_is_505237(api, key, vhost):
    assert fault_of(api.site.create, key, {"name": "S", "vhosts": [vhost]}).faultCode == 505237


def test_a_missing_site_is_560042(api, key):
    fault = fault_of(api.site.info, key, 999)

    assert fault.faultCode == 560042
    assert GANDI_FORMAT.match(fault.faultString)


def test_another_accounts_site_is_560042(simulator, api, key):
    site = create_site(api, key)
    stranger = simulator.add_account()

    for call in (api.site.info, api.site.delete, api.site.edit):
        assert fault_of(call, stranger, site["id"]).faultCode == 560042
    assert (
        fault_of(api.site.update, stranger, site["id"], {"package": "business"}).faultCode == 560042
    )


@pytest.mark.parametrize("name", ["", "   ", "x" * 65, "tab\there"])
def test_a_bad_site_name_is_560737(api, key, name):
    assert (
        fault_of(api.site.create, key, {"name": name, "vhosts": ["a.mine.example"]}).faultCode
        == 560737
    )


@pytest.mark.parametrize("params", [{"provider": "wix"}, {"package": "platinum"}])
def test_an_unknown_provider_or_package_is_560637(api, key, params):
    fault = fault_of(api.site.create, key, {"name": "S", "vhosts": ["a.mine.example"], **params})

    assert fault.faultCode == 560637


@pytest.mark.parametrize("package", ["personal", "professional"])
def test_a_package_change_that_is_not_an_upgrade_is_560637(api, key, package):
    site = create_site(api, key, package="professional")

    fault = fault_of(api.site.update, key, site["id"], {"package": package})

    assert fault.faultCode == 560637
    assert "only be upgraded" in fault.faultString


@pytest.mark.parametrize("duration", ["0m", "37m", "4y", "three months", "12"])
def test_a_duration_out_of_range_is_a_bad_parameter_fault(api, key, duration):
    fault = fault_of(
        api.site.create, key, {"name": "S", "vhosts": ["a.mine.example"], "duration": duration}
    )

    assert fault.faultCode == 560837
    assert str(fault.faultCode).endswith("37")


def test_a_vhost_taken_by_another_accounts_site_is_560141(simulator, api, key):
    create_site(api, key, "First", ["first.basekit-site.example"])
    other = simulator.add_account()

    fault = fault_of(
        api.site.create, other, {"name": "Second", "vhosts": ["first.basekit-site.example"]}
    )

    assert fault.faultCode == 560141
    assert "first.basekit-site.example" in fault.faultString


def test_a_site_with_an_unfinished_operation_is_busy_560160(simulator, api, key):
    simulator.step_seconds = 5
    op = api.site.create(key, {"name": "Slow", "vhosts": ["slow.mine.example"]})

    for call, args in [(api.site.delete, ()), (api.site.update, ({"package": "business"},))]:
        fault = fault_of(call, key, op["site_id"], *args)
        assert fault.faultCode == 560160


def test_a_vhost_without_its_txt_record_is_580142(api, key):
    fault = fault_of(api.site.create, key, {"name": "S", "vhosts": ["www.unproven.example"]})

    assert fault.faultCode == 580142
    assert "TXT" in fault.faultString


def test_a_missing_operation_is_510242(simulator, api, key):
    op = api.site.create(key, {"name": "S", "vhosts": ["s.mine.example"]})
    stranger = simulator.add_account()

    assert fault_of(api.operation.info, key, 424242).faultCode == 510242
    assert fault_of(api.operation.info, stranger, op["id"]).faultCode == 510242
    assert fault_of(api.operation.cancel, stranger, op["id"]).faultCode == 510242


def test_cancelling_a_running_or_finished_operation_is_550060(api, key):
    op = wait_until_final(
        api, key, api.site.create(key, {"name": "S", "vhosts": ["s.mine.example"]})
    )

    fault = fault_of(api.operation.cancel, key, op["id"])

    assert fault.faultCode == 550060
    assert fault.faultString.startswith("Error on object : OBJECT_OPERATION_STATE (CAUSE_STATE)")


def test_removing_the_parking_vhost_is_refused(api, key):
    site = create_site(api, key)

    fault = fault_of(api.site.update, key, site["id"], {"vhosts": ["www.mine.example"]})

    assert fault.faultCode == 560137
    assert site["parking_vhost"] in fault.faultString


def test_an_injected_internal_error_is_150000(simulator, key):
    simulator.set_faults(fault_rate=1.0, fault_kinds="fault150000")

    fault = fault_of(proxy(simulator).version.info, key)

    assert fault.faultCode == 150000
    assert GANDI_FORMAT.match(fault.faultString)


def test_calls_beyond_the_rate_limit_are_150004_per_key(simulator, api, key):
    other = simulator.add_account()
    simulator.set_faults(rate_limit="3/60")

    for _ in range(3):
        api.site.count(key)
    fault = fault_of(api.site.count, key)

    assert fault.faultCode == 150004
    assert api.site.count(other) == 0  # another key has its own allowance

"""Every fault class the contract lists, provoked on the simulator, as the typed error a
caller branches on and the message a user reads."""

from __future__ import annotations

import pytest

from sites_app.gandi import errors

from .conftest import quick_client, wait_until_final

PARKING = "basekit-site.example"


def test_an_unknown_key_is_an_invalid_key_with_advice(simulator):
    client = quick_client(simulator.url, "A" * 24)

    with pytest.raises(errors.InvalidKeyError) as refused:
        client.site_count()

    assert refused.value.fault_code == 510150
    assert refused.value.message == (
        "Gandi rejected the API key: it is unknown or has been revoked. "
        "Check the key in your Gandi account settings."
    )


def test_a_revoked_key_is_an_invalid_key(simulator, account, client):
    simulator.revoke_account(account)

    with pytest.raises(errors.InvalidKeyError):
        client.site_list()


def test_a_malformed_key_is_an_invalid_key(simulator):
    with pytest.raises(errors.InvalidKeyError) as refused:
        quick_client(simulator.url, "short").version_info()

    assert refused.value.fault_code == 501237
    assert "24 letters and digits" in refused.value.message


def test_no_credit_says_to_top_up_the_prepaid_account(simulator):
    client = quick_client(simulator.url, simulator.add_account(credit=0))

    with pytest.raises(errors.NoCreditError) as refused:
        client.site_create(name="Broke", vhosts=[f"broke.{PARKING}"])

    assert refused.value.fault_code == 530040
    assert "prepaid credit" in refused.value.message
    assert "EUR needed" in refused.value.support_text()
    assert client.site_count() == 0


def test_an_unknown_site_is_not_found(client):
    with pytest.raises(errors.NotFoundError) as refused:
        client.site_info(424242)

    assert refused.value.fault_code == 560042


def test_another_accounts_site_is_not_found(simulator, client):
    op = client.site_create(name="Mine", vhosts=[f"mine.{PARKING}"])
    stranger = quick_client(simulator.url, simulator.add_account())

    with pytest.raises(errors.NotFoundError):
        stranger.site_info(op.site_id)


def test_an_unknown_operation_is_not_found(client):
    with pytest.raises(errors.NotFoundError) as refused:
        client.operation_info(999999)

    assert refused.value.fault_code == 510242


def test_a_bad_site_name_is_bad_input_with_gandis_words(client):
    with pytest.raises(errors.InvalidRequestError) as refused:
        client.site_create(name="", vhosts=[f"empty.{PARKING}"])

    assert refused.value.fault_code == 560737
    assert "Gandi said:" in refused.value.message


def test_a_bad_vhost_is_bad_input(client):
    with pytest.raises(errors.InvalidRequestError) as refused:
        client.site_create(name="Ok", vhosts=["not a host"])

    assert refused.value.fault_code == 505237


def test_an_unknown_package_is_bad_input(client):
    with pytest.raises(errors.InvalidRequestError) as refused:
        client.site_create(name="Ok", vhosts=[f"ok.{PARKING}"], package="platinum")

    assert refused.value.fault_code == 560637


def test_an_unknown_filter_is_bad_input(client):
    with pytest.raises(errors.InvalidRequestError) as refused:
        client.site_list({"colour": "blue"})

    assert str(refused.value.fault_code).endswith("37")


def test_a_vhost_of_another_site_is_taken(simulator, client):
    client.site_create(name="First", vhosts=[f"shared.{PARKING}"])
    other = quick_client(simulator.url, simulator.add_account())

    with pytest.raises(errors.VhostTakenError) as refused:
        other.site_create(name="Second", vhosts=[f"shared.{PARKING}"])

    assert refused.value.fault_code == 560141
    assert "already used by another site" in refused.value.message


def test_a_site_with_an_operation_in_flight_is_busy_and_that_is_transient(simulator, client):
    simulator.step_seconds = 5
    op = client.site_create(name="Slow", vhosts=[f"slow.{PARKING}"])

    with pytest.raises(errors.SiteBusyError) as refused:
        client.site_delete(op.site_id)

    assert refused.value.fault_code == 560160
    assert isinstance(refused.value, errors.TransientError)
    assert simulator.calls()["site.delete"] == 1  # a mutation is never retried by the client


def test_a_busy_site_is_not_retried_by_reads_either(simulator, client):
    simulator.step_seconds = 5
    op = client.site_create(name="Busy", vhosts=[f"busy.{PARKING}"])

    with pytest.raises(errors.SiteBusyError):
        client.site_edit_url(op.site_id)

    assert simulator.calls()["site.edit"] == 1


def test_a_running_operation_is_not_cancellable(client):
    op = client.site_create(name="Done", vhosts=[f"done.{PARKING}"])
    wait_until_final(client, op.id)

    with pytest.raises(errors.NotCancellableError) as refused:
        client.operation_cancel(op.id)

    assert refused.value.fault_code == 550060


def test_the_rate_limit_fault_is_transient_and_reads_wait_then_succeed(simulator, account):
    simulator.set_faults(rate_limit="2/0.5")
    client = quick_client(simulator.url, account, read_retries=3)

    counts = [client.site_count() for _ in range(5)]

    assert counts == [0] * 5
    assert simulator.calls()["site.count"] > 5  # some calls were refused, then retried


def test_the_rate_limit_fault_surfaces_when_retries_are_spent(simulator, account):
    simulator.set_faults(rate_limit="1/60")
    client = quick_client(simulator.url, account, read_retries=0)
    client.site_count()

    with pytest.raises(errors.RateLimitedError) as refused:
        client.site_count()

    assert refused.value.fault_code == 150004
    assert "Too many requests" in refused.value.message


def test_an_internal_error_on_every_try_gives_up_after_the_retries(simulator, client):
    simulator.set_faults(fault_rate=1.0, fault_kinds="fault150000")

    with pytest.raises(errors.TransientError) as refused:
        client.site_count()

    assert refused.value.fault_code == 150000
    assert simulator.calls()["site.count"] == 1 + client.read_retries


def test_an_unknown_method_is_permanent(client):
    with pytest.raises(errors.PermanentError) as refused:
        client._call("site.teleport")

    assert refused.value.fault_code == 1

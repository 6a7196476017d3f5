"""Moving a Gandi account to another endpoint never sends the stored key to the new URL."""

import pytest
from django.urls import reverse

from sites_app.models import AuditEvent, Endpoint
from sites_app.services import gandi_accounts as account_service

pytestmark = pytest.mark.usefixtures("loopback_http")

KEY_AGAIN = "Enter the API key again to use it with a new endpoint"


def edit(client, account, **changes):
    data = {"name": account.name, "endpoint": account.endpoint, "custom_url": account.custom_url}
    return client.post(reverse("gandi_account_edit", args=[account.pk]), {**data, **changes})


def test_changing_only_the_custom_url_never_sends_the_stored_key_there(
    alice, client_for, sim_account, scratch_server
):
    account, key = sim_account()
    response = edit(client_for(alice), account, custom_url=scratch_server.url, api_key="")
    assert response.status_code == 200
    assert KEY_AGAIN in response.content.decode()
    assert scratch_server.bodies == []
    account.refresh_from_db()
    assert account.custom_url != scratch_server.url
    assert account.api_key() == key


def test_changing_only_the_endpoint_asks_for_the_key_again(
    alice, client_for, sim_account, simulator
):
    account, _ = sim_account()
    calls_before = sum(simulator.calls().values())
    response = edit(client_for(alice), account, endpoint=Endpoint.OTE, custom_url="", api_key="")
    assert KEY_AGAIN in response.content.decode()
    account.refresh_from_db()
    assert account.endpoint == Endpoint.CUSTOM
    assert sum(simulator.calls().values()) == calls_before


def test_a_new_endpoint_with_the_key_entered_again_is_checked_and_saved(
    alice, client_for, sim_account, simulator
):
    account, key = sim_account()
    account.custom_url = "http://127.0.0.1:9/xmlrpc/"
    account.save()
    response = edit(client_for(alice), account, custom_url=simulator.url, api_key=key)
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.custom_url == simulator.url
    assert account.api_key() == key
    change = AuditEvent.objects.get(action="gandi_account.change")
    assert change.detail["fields"] == ["custom_url"]


def test_the_service_refuses_a_new_endpoint_without_a_new_key(alice, sim_account, scratch_server):
    account, _ = sim_account()
    with pytest.raises(account_service.KeyNeededForNewEndpoint):
        account_service.update_account(
            account,
            name=account.name,
            endpoint=Endpoint.CUSTOM,
            custom_url=scratch_server.url,
            actor=alice,
        )
    assert scratch_server.bodies == []


@pytest.mark.parametrize(
    ("debug", "url", "allowed"),
    [
        (False, "http://127.0.0.1:9/xmlrpc/", False),
        (False, "https://rpc.example.net/xmlrpc/", True),
        (True, "http://127.0.0.1:9/xmlrpc/", True),
        (True, "http://localhost:9/xmlrpc/", True),
        (True, "http://[::1]:9/xmlrpc/", True),
        (True, "http://rpc.example.net/xmlrpc/", False),
        (True, "http://127.0.0.1.example.net/xmlrpc/", False),
    ],
)
def test_a_custom_url_must_use_https_except_loopback_in_debug(
    alice, client_for, settings, debug, url, allowed
):
    settings.DEBUG = debug
    data = {"name": "A", "endpoint": "custom", "custom_url": url, "api_key": "abcdefghij"}
    html = client_for(alice).post(reverse("gandi_account_create"), data).content.decode()
    refused = "The custom URL must start with https://" in html
    assert refused is not allowed


def test_staff_cannot_change_the_endpoint_in_the_admin(
    alice, client_for, sim_account, scratch_server
):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    account, _ = sim_account()
    url = reverse("admin:sites_app_gandiaccount_change", args=[account.pk])
    page = client_for(alice).get(url).content.decode()
    assert 'name="custom_url"' not in page and 'name="endpoint"' not in page
    data = {"name": account.name, "team": account.team.pk, "endpoint": "custom"}
    client_for(alice).post(url, {**data, "custom_url": scratch_server.url})
    account.refresh_from_db()
    assert account.custom_url != scratch_server.url

"""Browser journeys on Gandi accounts: test the connection, move an account to another
endpoint (the key must be entered again), remove an account."""

import pytest
from playwright.sync_api import expect

from sites_app.models import Endpoint, GandiAccount

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("gandi_settings")]


@pytest.fixture
def account(team, simulator):
    key = simulator.add_account()
    account = GandiAccount(team=team, name="Main", endpoint=Endpoint.SIMULATOR)
    account.set_api_key(key)
    account.save()
    return account, key


def open_accounts(page):
    page.get_by_role("link", name="Gandi accounts", exact=True).click()
    return page.locator("tr[data-account='Main']")


def test_testing_the_connection_shows_success_then_the_reason_of_a_failure(
    page, login, alice, account
):
    login(page, alice)
    row = open_accounts(page)
    expect(row).to_contain_text("never")
    row.get_by_role("button", name="Test connection").click()
    expect(page.get_by_role("alert")).to_contain_text("Main: the connection works")
    expect(row).not_to_contain_text("never")

    stored, _ = account
    stored.endpoint, stored.custom_url = Endpoint.CUSTOM, "https://127.0.0.1:9/xmlrpc/"
    stored.save()
    page.reload()
    row.get_by_role("button", name="Test connection").click()
    expect(page.get_by_role("alert")).to_contain_text("Could not reach Gandi")
    expect(row).to_contain_text("Last test failed")


def test_moving_an_account_to_another_endpoint_asks_for_the_key_again(page, login, alice, account):
    _, key = account
    login(page, alice)
    open_accounts(page).get_by_role("link", name="Edit").click()
    page.select_option("#id_endpoint", "custom")
    page.fill("#id_custom_url", "https://rpc.example.net/xmlrpc/")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".invalid-feedback")).to_contain_text(
        "Enter the API key again to use it with a new endpoint"
    )
    assert GandiAccount.objects.get().endpoint == Endpoint.SIMULATOR
    assert key not in page.content()


def test_removing_an_account_needs_its_name_typed(page, login, alice, account):
    login(page, alice)
    open_accounts(page).get_by_role("link", name="Remove").click()
    page.fill("#confirm_name", "main")
    page.get_by_role("button", name="Remove the account").click()
    expect(page.get_by_role("alert")).to_contain_text("Type the account's name exactly")
    assert GandiAccount.objects.exists()

    page.fill("#confirm_name", "Main")
    page.get_by_role("button", name="Remove the account").click()
    expect(page.get_by_role("alert")).to_contain_text("Gandi account Main removed from the portal")
    expect(page.get_by_test_id("gandi-accounts")).to_contain_text("No Gandi account yet")

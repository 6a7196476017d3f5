"""Browser journey: add a Gandi account on the simulator with a bad key, then a good one."""

import re

import pytest
from playwright.sync_api import expect

from sites_app.gandi.errors import InvalidKeyError

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_owner_adds_a_gandi_account_with_a_bad_then_a_good_key(
    page, login, alice, simulator, settings
):
    settings.DEBUG = True  # a custom endpoint may use plain http (the simulator) only in DEBUG
    good_key = simulator.add_account()
    login(page, alice)
    page.get_by_role("link", name="Gandi accounts", exact=True).click()
    page.get_by_role("link", name="Add a Gandi account").click()
    page.fill("#id_name", "Demo account")
    page.select_option("#id_endpoint", "custom")
    page.fill("#id_custom_url", simulator.url)
    page.fill("#id_api_key", "WRONGkey0123456789abcdef")
    page.get_by_role("button", name="Check and add").click()

    key_field = page.locator("#id_api_key")
    expect(key_field).to_have_class(re.compile("is-invalid"))
    expect(page.locator(".invalid-feedback")).to_contain_text(InvalidKeyError.default_message)
    expect(page.locator("#id_name")).to_have_value("Demo account")  # the rest is kept
    expect(page.locator("#id_custom_url")).to_have_value(simulator.url)
    expect(key_field).to_have_value("")  # the key is never sent back

    key_field.fill(good_key)
    page.get_by_role("button", name="Check and add").click()
    expect(page.get_by_role("alert")).to_contain_text("Gandi account Demo account added")
    row = page.locator("tr[data-account='Demo account']")
    expect(row).to_contain_text(f"…{good_key[-4:]}")
    assert good_key not in page.content()

    row.get_by_role("button", name="Test connection").click()
    expect(page.get_by_role("alert")).to_contain_text("the connection works")
    expect(page.locator("tr[data-account='Demo account']")).not_to_contain_text("never")

"""Create with a price: the quote, a refused changed quote, and short credit in plain words."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from sites_app.gandi.simulator import PARKING_DOMAIN
from sites_app.gandi.simulator import catalog as simulated_catalog
from sites_app.models import Operation
from sites_app.services import catalog
from tests.browser.create_steps import CHECK
from tests.lifecycle.conftest import make_account, run_to_the_end

pytestmark = pytest.mark.django_db(transaction=True)


def shot(page, name: str) -> None:
    """A screenshot for the notes, when SHOTS_DIR says where (never in CI)."""
    if folder := os.environ.get("SHOTS_DIR"):
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def fill_create(page, name: str, vhost: str, account: str | None = None) -> None:
    page.goto("/sites/new/")
    if account:
        page.select_option("#id_account", label=account)
    page.fill("#id_name", name)
    page.select_option("#id_duration", "3m")
    page.fill("#id_vhosts", vhost)
    page.get_by_role("button", name=CHECK).click()


def test_create_shows_the_price_refuses_a_changed_one_and_confirms_the_new_one(
    page, login, alice, team, simulator, gandi_settings, monkeypatch
):
    account = make_account(team, simulator)
    login(page, alice)
    fill_create(page, "Corner shop", f"corner.{PARKING_DOMAIN}")
    expect(page.get_by_test_id("quote-total")).to_have_text("14.97 EUR")
    expect(page.get_by_test_id("quote-detail")).to_contain_text("4.99 EUR per month \u00d7 3")
    expect(page.get_by_test_id("create-summary")).to_contain_text("3 months")
    shot(page, "create-confirmation-after.png")
    assert not Operation.objects.exists()

    # Gandi raises its price while the page is open.
    monkeypatch.setitem(simulated_catalog.MONTHLY_PRICES["personal"], "create", 6.99)
    cache.delete(catalog._key(account, "prices:basekit_whitelabel:personal:create:None"))
    page.get_by_label("I accept").check()
    page.get_by_role("button", name="Confirm and create").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text(
        "The price changed: this site now costs 20.97 EUR (you saw 14.97 EUR)"
    )
    expect(page.get_by_test_id("quote-total")).to_have_text("20.97 EUR")
    expect(page.get_by_label("I accept")).not_to_be_checked()
    assert not Operation.objects.exists()

    page.get_by_label("I accept").check()
    page.get_by_role("button", name="Confirm and create").click()
    expect(page.get_by_role("alert").first).to_contain_text("queued for Gandi at 20.97 EUR")
    expect(page.get_by_test_id("request-price-accepted")).to_have_text("20.97 EUR")
    assert Operation.objects.get().params["price"] == 20.97


def test_short_credit_is_said_with_the_amounts_and_caught_before_the_next_send(
    page, login, alice, team, simulator, gandi_settings
):
    make_account(team, simulator, name="Poor account", credit=5.0)
    login(page, alice)
    fill_create(page, "Too dear", f"toodear.{PARKING_DOMAIN}")
    page.get_by_label("I accept").check()
    page.get_by_role("button", name="Confirm and create").click()
    run_to_the_end(Operation.objects.get())  # the worker's part, in this process
    page.reload()
    expect(page.get_by_test_id("op-status")).to_have_text("Failed")
    expect(page.get_by_test_id("op-error")).to_contain_text(
        "this needs 14.97 EUR and the account has 5.00 EUR available"
    )
    # No green flash contradicts the failure.
    expect(page.locator(".alert-success")).to_have_count(0)

    fill_create(page, "Second try", f"secondtry.{PARKING_DOMAIN}")
    expect(page.get_by_test_id("credit")).to_contain_text("5.00 EUR")
    expect(page.get_by_test_id("credit-short")).to_contain_text(
        "this site costs 14.97 EUR and Gandi said the account “Poor account” has 5.00 EUR"
    )
    shot(page, "create-confirmation-short-credit-after.png")
    page.get_by_label("I accept").check()
    page.get_by_role("button", name="Confirm and create").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("Not enough prepaid credit")
    assert Operation.objects.count() == 1

"""The dashboard follows an operation in flight without a reload, and then goes quiet."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sites_app.gandi.simulator import PARKING_DOMAIN
from tests.browser.create_steps import check_and_confirm
from tests.lifecycle.conftest import make_account

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def account(team, alice, simulator, gandi_settings):
    return make_account(team, simulator)


def test_the_operations_card_updates_by_itself(
    page, login, alice, account, celery_worker_process, simulator
):
    simulator.step_seconds = 1.0
    login(page, alice)
    page.goto("/sites/new/")
    page.fill("#id_name", "Dashboard shop")
    page.fill("#id_vhosts", f"dashboard-shop.{PARKING_DOMAIN}")
    check_and_confirm(page)
    page.goto("/")
    card = page.get_by_test_id("dashboard-operations")
    expect(card).to_contain_text("Create site Dashboard shop")
    page.evaluate("window.stillTheSamePage = true")
    expect(card).to_contain_text("None.", timeout=30_000)
    assert page.evaluate("window.stillTheSamePage === true")  # htmx swapped the card in place
    expect(card).not_to_have_attribute("hx-trigger", "every 500ms")  # quiet again

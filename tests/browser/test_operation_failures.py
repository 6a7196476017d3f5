"""A create that ends in ERROR at Gandi: plain words, the raw fault for support, one retry."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sites_app.gandi.simulator import PARKING_DOMAIN
from sites_app.models import Operation
from tests.browser.create_steps import check_and_confirm
from tests.lifecycle.conftest import gandi_operation_count, make_account

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def account(team, alice, simulator, gandi_settings):
    return make_account(team, simulator)


def test_a_failed_create_explains_itself_and_is_retried_once(
    page, login, alice, account, celery_worker_process, simulator
):
    simulator.set_faults(op_error_rate=1.0)
    login(page, alice)
    page.goto("/sites/new/")
    page.fill("#id_name", "Unlucky shop")
    page.fill("#id_vhosts", f"unlucky.{PARKING_DOMAIN}")
    check_and_confirm(page)

    expect(page.get_by_test_id("op-status")).to_have_text("Failed", timeout=30_000)
    expect(page.get_by_test_id("op-error")).to_contain_text("Gandi could not complete it")
    page.get_by_text("Details for support").click()
    expect(page.get_by_test_id("op-error-detail")).to_be_visible()
    failed_url = page.url

    simulator.set_faults(op_error_rate=0.0)
    page.get_by_test_id("retry").click()
    expect(page.get_by_test_id("op-status")).to_have_text("Done", timeout=30_000)
    assert page.url != failed_url

    # Back on the failed one (a reload, another tab): it points at its retry, no second Retry.
    page.goto(failed_url)
    expect(page.get_by_test_id("retried-as")).to_be_visible()
    expect(page.get_by_test_id("retry")).to_have_count(0)
    assert Operation.objects.count() == 2
    assert gandi_operation_count(account) == 2  # the failed create and its one retry

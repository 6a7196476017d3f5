"""The forgiving TXT flow in Chromium: fix a typo in place, then let the portal create it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sites_app.models import Operation, PendingRequest
from sites_app.services import verification
from tests.browser.create_steps import check_and_confirm
from tests.lifecycle.conftest import make_account

pytestmark = pytest.mark.django_db(transaction=True)


def test_fix_a_typo_then_create_as_soon_as_the_record_is_seen(
    page, login, alice, team, simulator, gandi_settings
):
    make_account(team, simulator)
    login(page, alice)
    page.goto("/sites/new/")
    page.fill("#id_name", "Typo shop")
    page.fill("#id_vhosts", "www.tpyo-shop.co.uk")
    check_and_confirm(page)
    expect(page.get_by_test_id("txt-name")).to_have_text("www.tpyo-shop.co.uk")

    page.get_by_label("Vhosts, one per line").fill("www.typo-shop.co.uk")
    page.get_by_role("button", name="Save the corrected vhosts").click()
    expect(page.get_by_role("alert").first).to_contain_text("Request corrected")
    expect(page.get_by_test_id("txt-name")).to_have_text("www.typo-shop.co.uk")
    expect(page.get_by_test_id("txt-relative")).to_have_text("www")
    expect(page.get_by_test_id("txt-record")).to_contain_text("Name in the zone typo-shop.co.uk")

    page.get_by_role("button", name="Create as soon as every record is seen").click()
    expect(page.get_by_test_id("auto-chosen")).to_contain_text("alice chose to send it")
    value = page.get_by_test_id("txt-value").inner_text()
    simulator.publish_txt("www.typo-shop.co.uk", value)
    PendingRequest.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
    verification.recheck_due()  # what beat's recheck_pending_verifications runs

    op = Operation.objects.get()
    assert op.requested_by == alice and op.params["vhosts"] == ["www.typo-shop.co.uk"]
    page.reload()  # the proof is done: its page now leads to the operation
    expect(page.get_by_test_id("operation-progress")).to_be_visible()

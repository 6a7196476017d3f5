"""Browser journey: the audit log, filtered by action, and its CSV export link."""

import pytest
from playwright.sync_api import expect

from sites_app import audit
from sites_app.models import Role

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_owner_filters_the_audit_log_by_action_and_person(page, login, alice, team, member):
    bob = member(Role.ADMIN)
    audit.record("team.rename", actor=bob, team=team, obj=team, old_name="Acme")
    audit.record("gandi_account.add", actor=alice, team=team, obj=team)
    login(page, alice)
    page.get_by_role("link", name="Audit log", exact=True).click()
    events = page.get_by_test_id("audit-events")
    expect(events).to_contain_text("team.rename")
    expect(events).to_contain_text("gandi_account.add")

    page.select_option("#id_action", "team.rename")
    page.get_by_role("button", name="Filter").click()
    expect(events).to_contain_text("team.rename")
    expect(events).not_to_contain_text("gandi_account.add")
    expect(page.get_by_role("link", name="Export CSV")).to_have_attribute(
        "href", "/audit/export.csv?action=team.rename"
    )

    page.select_option("#id_action", "")
    page.select_option("#id_person", "alice")
    page.get_by_role("button", name="Filter").click()
    expect(events).to_contain_text("gandi_account.add")
    expect(events).not_to_contain_text("team.rename")

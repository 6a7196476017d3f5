"""Browser journeys on the team page: change a role, remove a member, leave, switch team,
revoke an invitation."""

import pytest
from playwright.sync_api import expect

from sites_app.models import Membership, Role

pytestmark = pytest.mark.django_db(transaction=True)


def open_team_page(page):
    page.get_by_role("link", name="Team", exact=True).click()


def test_an_owner_changes_a_members_role(page, login, alice, member):
    viewer = member(Role.VIEWER)
    login(page, alice)
    open_team_page(page)
    row = page.locator(f"tr[data-member='{viewer.username}']")
    row.get_by_label(f"Role of {viewer.username}").select_option("operator")
    row.get_by_role("button", name="Change role").click()
    expect(page.get_by_role("alert")).to_contain_text(f"{viewer.username} is now Operator")
    expect(page.get_by_label(f"Role of {viewer.username}")).to_have_value("operator")


def test_an_owner_removes_a_member_after_confirming(page, login, alice, member):
    viewer = member(Role.VIEWER)
    login(page, alice)
    open_team_page(page)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.locator(f"tr[data-member='{viewer.username}']").get_by_role(
        "button", name="Remove"
    ).click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"{viewer.username} is no longer a member of Acme Web"
    )
    assert dialogs == [f"Remove {viewer.username} from the team?"]
    expect(page.locator(f"tr[data-member='{viewer.username}']")).to_have_count(0)


def test_a_member_leaves_the_team(page, login, alice, member):
    operator = member(Role.OPERATOR)
    login(page, operator)
    open_team_page(page)
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Leave team").click()
    expect(page.get_by_role("alert")).to_contain_text("You left Acme Web.")
    expect(page.get_by_role("link", name="Team", exact=True)).to_have_count(0)
    assert not Membership.objects.filter(user=operator).exists()


def test_the_last_owner_cannot_leave(page, login, alice):
    login(page, alice)
    open_team_page(page)
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Leave team").click()
    expect(page.get_by_role("alert")).to_contain_text("A team keeps at least one owner")
    assert Membership.objects.filter(user=alice).exists()


def test_a_person_in_two_teams_switches_team(page, login, alice, other_team):
    Membership.objects.create(team=other_team, user=alice, role=Role.VIEWER)
    login(page, alice)
    switcher = page.get_by_test_id("team-switcher")
    switcher.click()
    page.get_by_role("button", name="Globex").click()
    expect(page.get_by_test_id("team-switcher")).to_have_text("Team: Globex")
    open_team_page(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Team Globex")
    # As a viewer of Globex, alice may not invite there.
    expect(page.get_by_role("link", name="Invite someone")).to_have_count(0)


def test_an_owner_revokes_an_invitation(page, login, alice):
    login(page, alice)
    open_team_page(page)
    page.get_by_role("link", name="Invite someone").click()
    page.fill("#id_email", "dana@example.com")
    page.get_by_role("button", name="Send invitation").click()
    pending = page.get_by_test_id("pending-invitations")
    expect(pending).to_contain_text("dana@example.com")
    link = page.get_by_label("Invitation link").input_value()

    pending.get_by_role("button", name="Revoke").click()
    revoked = "The invitation of dana@example.com is revoked"
    expect(page.get_by_role("alert")).to_contain_text(revoked)
    expect(page.get_by_test_id("pending-invitations")).to_contain_text("No pending invitations")
    page.goto(link)
    expect(page.get_by_test_id("invitation-refused")).to_contain_text("revoked by the team")

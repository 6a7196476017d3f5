"""Teams and members: create, rename, change roles, remove, leave; a team keeps an owner."""

from django.urls import reverse

from sites_app.models import AuditEvent, Membership, Role, Team


def role_of(user, team) -> str | None:
    membership = Membership.objects.filter(user=user, team=team).first()
    return membership.role if membership else None


def test_a_person_who_creates_a_team_becomes_its_owner(alice, client_for):
    client = client_for(alice)
    response = client.post(reverse("team_create"), {"name": "  New   Crew "}, follow=True)
    team = Team.objects.get(name="New Crew")
    assert role_of(alice, team) == Role.OWNER
    assert "Team New Crew created" in response.content.decode()
    # ...and works in it straight away
    assert "Team New Crew" in client.get(reverse("team_detail")).content.decode()


def test_an_empty_team_name_is_refused_next_to_the_field(alice, client_for):
    response = client_for(alice).post(reverse("team_create"), {"name": "   "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in html and "invalid-feedback" in html


def test_an_admin_renames_the_team(team, member, client_for):
    admin = member(Role.ADMIN)
    client_for(admin).post(reverse("team_rename"), {"name": "Acme Sites"})
    team.refresh_from_db()
    assert team.name == "Acme Sites"
    assert AuditEvent.objects.filter(team=team, action="team.rename").exists()


def test_the_team_page_lists_members_with_their_roles(team, alice, member, client_for):
    viewer = member(Role.VIEWER)
    html = client_for(viewer).get(reverse("team_detail")).content.decode()
    assert "alice" in html and viewer.username in html
    assert "Change role" not in html  # a viewer sees roles, not the controls


def test_an_owner_changes_a_members_role(team, alice, member, client_for):
    viewer = member(Role.VIEWER)
    target = Membership.objects.get(user=viewer)
    client_for(alice).post(reverse("member_role", args=[target.pk]), {"role": Role.OPERATOR})
    assert role_of(viewer, team) == Role.OPERATOR
    event = AuditEvent.objects.get(action="member.role_change")
    assert event.detail == {"old_role": "viewer", "new_role": "operator"}
    assert event.actor == alice


def test_an_admin_cannot_grant_the_owner_role(team, alice, member, client_for):
    admin = member(Role.ADMIN)
    viewer = member(Role.VIEWER)
    target = Membership.objects.get(user=viewer)
    response = client_for(admin).post(
        reverse("member_role", args=[target.pk]), {"role": Role.OWNER}, follow=True
    )
    assert role_of(viewer, team) == Role.VIEWER
    assert "Only an owner can grant or remove the owner role" in response.content.decode()


def test_an_admin_cannot_demote_or_remove_an_owner(team, alice, member, client_for):
    admin = client_for(member(Role.ADMIN))
    owner = Membership.objects.get(user=alice)
    demoted = admin.post(
        reverse("member_role", args=[owner.pk]), {"role": Role.VIEWER}, follow=True
    )
    removed = admin.post(reverse("member_remove", args=[owner.pk]), follow=True)
    assert role_of(alice, team) == Role.OWNER
    assert "Only an owner can grant or remove the owner role." in demoted.content.decode()
    assert "Only an owner can remove an owner from the team." in removed.content.decode()


def test_the_last_owner_cannot_step_down_or_leave(team, alice, client_for):
    client = client_for(alice)
    mine = Membership.objects.get(user=alice)
    response = client.post(
        reverse("member_role", args=[mine.pk]), {"role": Role.ADMIN}, follow=True
    )
    assert "keeps at least one owner" in response.content.decode()
    response = client.post(reverse("team_leave"), follow=True)
    assert "keeps at least one owner" in response.content.decode()
    assert role_of(alice, team) == Role.OWNER


def test_an_owner_may_leave_when_another_owner_remains(team, alice, member, client_for):
    member(Role.OWNER)
    response = client_for(alice).post(reverse("team_leave"), follow=True)
    assert role_of(alice, team) is None
    assert "You left Acme Web" in response.content.decode()
    assert AuditEvent.objects.filter(action="member.leave", actor=alice).exists()


def test_an_admin_removes_a_member(team, alice, member, client_for):
    admin = member(Role.ADMIN)
    operator = member(Role.OPERATOR)
    target = Membership.objects.get(user=operator)
    client_for(admin).post(reverse("member_remove", args=[target.pk]))
    assert role_of(operator, team) is None
    assert AuditEvent.objects.filter(action="member.remove", object_id=str(operator.pk)).exists()


def test_a_viewer_cannot_change_roles(team, alice, member, client_for):
    viewer = member(Role.VIEWER)
    target = Membership.objects.get(user=alice)
    response = client_for(viewer).post(
        reverse("member_role", args=[target.pk]), {"role": Role.VIEWER}
    )
    assert response.status_code == 403
    assert role_of(alice, team) == Role.OWNER


def test_another_teams_member_is_out_of_reach(team, alice, charlie, client_for):
    theirs = Membership.objects.get(user=charlie)
    response = client_for(alice).post(reverse("member_remove", args=[theirs.pk]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_a_crafted_unknown_role_is_refused(team, alice, member, client_for):
    viewer = member(Role.VIEWER)
    target = Membership.objects.get(user=viewer)
    response = client_for(alice).post(
        reverse("member_role", args=[target.pk]), {"role": "superuser"}, follow=True
    )
    assert response.status_code == 200
    assert "Choose one of the listed roles" in response.content.decode()
    assert role_of(viewer, team) == Role.VIEWER


def test_a_person_switches_between_their_teams(team, alice, other_team, client_for):
    Membership.objects.create(team=other_team, user=alice, role=Role.VIEWER)
    client = client_for(alice)
    client.post(reverse("switch_team"), {"team": other_team.pk})
    assert "Team Globex" in client.get(reverse("team_detail")).content.decode()


def test_the_dashboard_shows_the_team_panel(alice, member, client_for, sim_account):
    member(Role.VIEWER)
    _account, key = sim_account("Main account")
    html = client_for(alice).get(reverse("dashboard")).content.decode()
    assert "Team Acme Web" in html and "2 members" in html
    assert f"key …{key[-4:]}" in html and key not in html

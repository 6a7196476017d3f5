"""The team page: members and their roles, renaming, creating and leaving a team."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sites_app import access
from sites_app.access import Right
from sites_app.forms.teams import TeamForm
from sites_app.models import Membership, Role
from sites_app.services import teams as team_service
from sites_app.services.account_security import users_with_mfa


@login_required
@require_safe
def team_detail(request):
    membership = access.require_current(request, Right.VIEW)
    team = membership.team
    rights = access.rights_of(membership.role)
    members = Membership.objects.filter(team=team).select_related("user").order_by("user__username")
    context = {
        "team": team,
        "members": members,
        "role_choices": [
            (value, label)
            for value, label in Role.choices
            if value in team_service.roles_grantable_by(membership)
        ],
        "may_own": Right.OWN in rights,
        "pending_count": team_service.pending_invitations(team).count()
        if Right.MANAGE_MEMBERS in rights
        else 0,
        "rename_form": TeamForm(initial={"name": team.name}),
        "with_mfa": users_with_mfa(m.user_id for m in members),
    }
    return render(request, "teams/team_detail.html", context)


@login_required
@require_POST
def team_rename(request):
    membership = access.require_current(request, Right.MANAGE_MEMBERS)
    form = TeamForm(request.POST)
    if form.is_valid():
        team_service.rename_team(
            membership.team, name=form.cleaned_data["name"], actor=request.user, request=request
        )
        messages.success(request, f"The team is now called {membership.team.name}.")
    else:
        messages.error(request, "; ".join(form.errors.get("name", ["Invalid name."])))
    return redirect("team_detail")


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request):
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = team_service.create_team(
            name=form.cleaned_data["name"], creator=request.user, request=request
        )
        access.switch_team(request, team.pk)
        messages.success(request, f"Team {team.name} created. You are its owner.")
        return redirect("team_detail")
    return render(request, "teams/team_create.html", {"form": form})


@login_required
@require_POST
def team_leave(request):
    membership = access.require_current(request, Right.VIEW)
    try:
        team_service.leave_team(membership, request=request)
    except team_service.TeamRuleError as exc:
        messages.error(request, str(exc))
        return redirect("team_detail")
    request.session.pop(access.SESSION_TEAM_KEY, None)
    messages.success(request, f"You left {membership.team.name}.")
    return redirect("dashboard")

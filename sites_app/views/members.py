"""Changing a member's role and removing a member."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from sites_app import access
from sites_app.access import Right
from sites_app.forms.teams import RoleForm
from sites_app.models import Membership
from sites_app.services import teams as team_service
from sites_app.services.account_security import fresh_authentication_required


def _member(request, membership_id: int) -> tuple[Membership, Membership]:
    return access.get_for_user(
        request,
        Membership.objects.select_related("team", "user"),
        Right.MANAGE_MEMBERS,
        pk=membership_id,
    )


@login_required
@require_POST
@fresh_authentication_required
def member_role(request, membership_id: int):
    target, mine = _member(request, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the listed roles.")
        return redirect("team_detail")
    try:
        team_service.change_role(
            target, role=form.cleaned_data["role"], actor_membership=mine, request=request
        )
    except team_service.TeamRuleError as exc:
        messages.error(request, str(exc))
    else:
        target.refresh_from_db()
        messages.success(request, f"{target.user} is now {target.get_role_display()}.")
    return redirect("team_detail")


@login_required
@require_POST
def member_remove(request, membership_id: int):
    target, mine = _member(request, membership_id)
    try:
        if target.user_id == request.user.pk:
            team_service.leave_team(target, request=request)
        else:
            team_service.remove_member(target, actor_membership=mine, request=request)
    except team_service.TeamRuleError as exc:
        messages.error(request, str(exc))
        return redirect("team_detail")
    messages.success(request, f"{target.user} is no longer a member of {target.team}.")
    if target.user_id == request.user.pk:
        request.session.pop(access.SESSION_TEAM_KEY, None)
        return redirect("dashboard")
    return redirect("team_detail")

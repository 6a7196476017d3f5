"""The dashboard's team panel: members, Gandi accounts and their last check, invitations."""

from django import template

from sites_app import access
from sites_app.access import Right
from sites_app.models import GandiAccount, Membership
from sites_app.services.teams import pending_invitations

register = template.Library()


@register.inclusion_tag("teams/partials/dashboard_panel.html", takes_context=True)
def team_panel(context):
    membership = access.current_membership(context["request"])
    if membership is None:
        return {"membership": None}
    team = membership.team
    accounts = GandiAccount.objects.filter(team=team).order_by("name")
    manages_members = Right.MANAGE_MEMBERS in access.rights_of(membership.role)
    return {
        "membership": membership,
        "member_count": Membership.objects.filter(team=team).count(),
        "accounts": accounts,
        "pending_count": pending_invitations(team).count() if manages_members else None,
        "can": context.get("can", {}),
    }

"""The dashboard's sites panel: counts, soon-expiring sites and operations in flight."""

from datetime import timedelta

from django import template
from django.utils import timezone

from sites_app import access
from sites_app.models import Operation, Site

register = template.Library()
EXPIRING_DAYS = 30


@register.inclusion_tag("sites/partials/dashboard_panel.html", takes_context=True)
def sites_panel(context):
    request = context["request"]
    membership = access.current_membership(request)
    if membership is None:
        return {"membership": None}
    sites = Site.objects.present().filter(account__team=membership.team)
    soon = timezone.now() + timedelta(days=EXPIRING_DAYS)
    return {
        "membership": membership,
        "site_count": sites.count(),
        "expiring": sites.filter(paid_until__lte=soon).order_by("paid_until")[:5],
        "expiring_days": EXPIRING_DAYS,
        **operations_panel(membership.team),
    }


def operations_panel(team) -> dict:
    """The dashboard's operations card; also served alone, polled while any is in flight."""
    return {
        "in_flight": list(
            Operation.objects.in_flight().filter(account__team=team).select_related("site")[:5]
        ),
        "attention": Operation.objects.filter(account__team=team, status="needs_attention").count(),
    }

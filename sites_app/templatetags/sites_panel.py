"""The dashboard's sites panel: counts, soon-expiring sites and operations in flight."""

from datetime import timedelta

from django import template
from django.utils import timezone

from sites_app import access
from sites_app.models import Operation, Site
from sites_app.services.list_summaries import site_summary
from sites_app.views.live import POLL_INTERVAL, rows_version, version_of

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
        # One GROUP BY for every figure of the team's sites (kept a few seconds when large).
        "site_count": site_summary(membership.team).total,
        # Read in the order of the index on (paid_until, gandi_id) of present sites.
        "expiring": sites.filter(paid_until__lte=soon).order_by("paid_until", "gandi_id")[:5],
        "expiring_days": EXPIRING_DAYS,
        "can": context.get("can", {}),
        **operations_panel(membership.team),
    }


def operations_panel(team) -> dict:
    """The dashboard's operations card; also served alone, polled while any is in flight."""
    in_flight = list(
        Operation.objects.in_flight().filter(account__team=team).select_related("site")[:5]
    )
    attention = Operation.objects.filter(account__team=team, status="needs_attention").count()
    return {
        "in_flight": in_flight,
        "attention": attention,
        # The panel polls with this and is re-rendered only when it changed (views.live).
        "version": version_of(rows_version(in_flight), attention),
        "poll": POLL_INTERVAL,
    }

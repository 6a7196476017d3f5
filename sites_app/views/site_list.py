"""Journey 1: the sites list (search, filters, sort, pages) and its live table.

Its cost does not grow with the team: no whole-table COUNT (views.paging), the team-wide
figures in one query (services.list_summaries), search through indexes (services.site_search),
an index for every sort (models.sites). While a site on the page is changing, the table
polls every 0.5 s and is re-rendered only when one of its rows changed (views.live).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from sites_app import access
from sites_app.access import Right
from sites_app.forms.sites import SiteFilterForm
from sites_app.models import PendingRequest, Site
from sites_app.models.sites import SiteState
from sites_app.services import list_summaries, site_query
from sites_app.views.live import POLL_INTERVAL, unchanged, version_of
from sites_app.views.paging import light_page, page_count
from sites_app.views.sites import _sync_context, state_label, team_accounts

PER_PAGE = 25
CHANGING = {SiteState.BEING_CREATED, SiteState.BEING_UPDATED, SiteState.BEING_DELETED}
FILTERS = ("q", "account", "state", "package", "expiring")


def _rows(request, membership) -> dict:
    """The filtered, sorted page of sites, and what the table needs to show and poll it."""
    accounts = list(team_accounts(membership))
    sites = Site.objects.present().filter(account_id__in=[a.pk for a in accounts])
    form = SiteFilterForm(request.GET or None, accounts=accounts)
    # A bad value in one filter (an edited URL, an old bookmark) drops that filter only.
    data: dict = {}
    if form.is_bound:
        form.is_valid()  # fills cleaned_data with the fields that are valid
        data = form.cleaned_data
    sites = site_query.filter_sites(sites, data)
    sort = data.get("sort") or "name"
    sites = sites.order_by(*site_query.ordering(sort))
    page = light_page(sites, request.GET.get("page"), PER_PAGE)
    by_account = {a.pk: a for a in accounts}
    for site in page.object_list:  # the page's accounts, without a join per row
        site.account = by_account[site.account_id]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("v", None)
    return {
        "form": form,
        "data": data,
        "sites": sites,
        "page": page,
        "accounts": accounts,
        "sort": sort,
        "query_string": query.urlencode(),
        "changing": any(site.state in CHANGING for site in page.object_list),
        "version": version_of(
            [
                (s.pk, s.state, s.package, s.paid_until, s.preferred_vhost, s.last_synced_at)
                for s in page.object_list
            ]
        ),
        "poll": POLL_INTERVAL,
    }


@login_required
@require_safe
def site_list(request):
    membership = access.require_current(request, Right.VIEW)
    context = _rows(request, membership)
    form, data = context["form"], context.pop("data")
    summary = list_summaries.site_summary(membership.team)
    if any(data.get(name) not in (None, "") for name in FILTERS):
        shown, more = page_count(context["page"], context["sites"])
    else:
        shown, more = summary.total, False
    context.update(
        {
            "total": summary.total,
            "shown": shown,
            "shown_more": more,
            "by_state": [(state_label(state), n) for state, n in summary.by_state.items()],
            "packages": summary.packages,
            "states": [(state, state_label(state)) for state in summary.by_state],
            "filter_errors": [
                f"{form.fields[name].label or name.capitalize()}: {' '.join(errors)}"
                for name, errors in form.errors.items()
            ],
            "last_sync": summary.last_sync,
            **_sync_context(membership, context["accounts"]),
            "waiting_for_dns": PendingRequest.objects.filter(
                account__team=membership.team,
                status__in=[PendingRequest.Status.WAITING, PendingRequest.Status.READY],
            ).select_related("site"),
        }
    )
    return render(request, "sites/site_list.html", context)


@login_required
@require_safe
def site_table(request):
    """The list's table alone, polled while a site on it is changing; 204 when unchanged."""
    membership = access.require_current(request, Right.VIEW)
    context = _rows(request, membership)
    if (same := unchanged(request, context["version"])) is not None:
        return same
    if not context["page"].object_list:  # which empty state: no match, or no site at all
        context["total"] = list_summaries.site_summary(membership.team).total
    return render(request, "sites/partials/site_table.html", context)

"""The sites list's query: filters and sort, shared by the page (views.site_list) and the API.

`data` is a SiteFilterForm's cleaned_data (or the API's validated filters): q, account,
state, package, expiring (days), sort (a key of forms.sites.SORTS).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from sites_app.forms.sites import SORTS
from sites_app.models import Site
from sites_app.services import site_search


def filter_sites(sites: QuerySet[Site], data: dict) -> QuerySet[Site]:
    if (data.get("q") or "").strip():
        sites = site_search.search(sites, data["q"].strip())
    if data.get("account"):
        sites = sites.filter(account_id=data["account"])
    if data.get("state"):
        sites = sites.filter(state=data["state"])
    if data.get("package"):
        sites = sites.filter(package=data["package"])
    if data.get("expiring") is not None:
        sites = sites.filter(paid_until__lte=timezone.now() + timedelta(days=data["expiring"]))
    return sites


def ordering(sort: str | None) -> tuple[str, ...]:
    return SORTS[sort or "name"][0]

"""Webhooks for sites that appear or disappear at Gandi, found by sync (`site_sync`) or, for
a deletion, by a read of the site (`sites.mark_gone_at_gandi`).

A site created or deleted in Gandi's own admin sends `site.created` / `site.deleted` with
`"source": "sync"`, as one made by the portal does with `"source": "portal"`; a site the
portal's own operation creates or deletes is told by that operation only, once. Queued in
bulk, inside the sync page's transaction: a constant number of queries per page.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef

from sites_app.models import (
    GandiAccount,
    Operation,
    OperationKind,
    OperationStatus,
    Site,
    WebhookEvent,
)
from sites_app.models.operations import IN_FLIGHT
from sites_app.services import webhooks
from sites_app.services.notifications import site_data

# A delete in these states tells site.deleted itself (it has, or will once Gandi is done).
DELETE_REPORTS = (*IN_FLIGHT, OperationStatus.DONE)


def sync_data(site: Site) -> dict:
    return {"source": "sync", "site": site_data(site)}


def queue_found(account: GandiAccount, new_sites: list[Site]) -> int:
    """site.created for sites new to the portal that no create of the portal accounts for
    (3 queries: the endpoints, the creates in flight, the deliveries)."""
    endpoints = webhooks.subscribed_endpoints(account.team_id, WebhookEvent.SITE_CREATED)
    if not endpoints:
        return 0
    theirs = _made_by_creates_in_flight(account, new_sites)
    items = [
        (f"site-found:{site.pk}", sync_data(site)) for site in new_sites if site.pk not in theirs
    ]
    return webhooks.queue_events(endpoints, WebhookEvent.SITE_CREATED, items)


def _made_by_creates_in_flight(account: GandiAccount, sites: list[Site]) -> set[int]:
    """The sites a create of the account still in flight made at Gandi (its own
    site.created follows once it is done): by the Gandi site id when the create knows it,
    else by a vhost it asked for, which no other site can hold. Never by name."""
    site_ids: set[int] = set()
    vhosts: set[str] = set()
    creates = Operation.objects.filter(
        account=account, kind=OperationKind.CREATE, status__in=IN_FLIGHT
    ).values_list("params", flat=True)
    for params in creates:
        if params.get("gandi_site_id"):
            site_ids.add(int(params["gandi_site_id"]))
        else:
            vhosts.update(name.lower() for name in params.get("vhosts") or [])
    return {
        site.pk
        for site in sites
        if site.gandi_id in site_ids or (site.preferred_vhost or "").lower() in vhosts
    }


def queue_gone(account: GandiAccount, removed_at: datetime) -> int:
    """site.deleted for the sites a completed pass has just marked gone (at `removed_at`),
    but those whose delete the portal itself reports (3 queries)."""
    endpoints = webhooks.subscribed_endpoints(account.team_id, WebhookEvent.SITE_DELETED)
    if not endpoints:
        return 0
    reported = Operation.objects.filter(
        site=OuterRef("pk"), kind=OperationKind.DELETE, status__in=DELETE_REPORTS
    )
    # The sweep's UPDATE wrote this exact moment: these are the rows it marked.
    gone = (
        Site.objects.filter(account=account, removed_at=removed_at)
        .exclude(Exists(reported))
        .only("pk", "gandi_id", "name", "package", "preferred_vhost", "paid_until")
    )
    stamp = removed_at.isoformat()
    items = [(f"site-gone:{site.pk}:{stamp}", sync_data(site)) for site in gone]
    return webhooks.queue_events(endpoints, WebhookEvent.SITE_DELETED, items)

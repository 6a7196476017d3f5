"""Search of the sites list: by name or by any vhost, through indexes.

Two index-friendly subqueries (names; vhost names, stored lower case) joined by UNION and
matched on the primary key, so there is no DISTINCT over the vhost join. On PostgreSQL both
LIKEs use trigram indexes (migration 0002_list_indexes); SQLite scans, the plain fallback.
"""

from __future__ import annotations

import contextlib

from django.db.models import Q, QuerySet

from sites_app.models import Site, VirtualHost
from sites_app.services.hostnames import HostnameError, normalise_hostname


def search(sites: QuerySet[Site], query: str) -> QuerySet[Site]:
    """The sites whose name or one of whose vhosts contains `query`."""
    needles = {query.lower()}
    with contextlib.suppress(HostnameError):
        needles.add(normalise_hostname(query))
    # A part of an international name ("bücher") is stored in punycode ("xn--bcher-kva").
    with contextlib.suppress(UnicodeError):
        labels = [label.encode("idna").decode("ascii") for label in query.lower().split(".")]
        needles.add(".".join(labels))
    vhost_match = Q()
    for needle in sorted(needles):
        vhost_match |= Q(name__contains=needle)
    by_name = Site.objects.filter(name__icontains=query).order_by().values("pk")
    by_vhost = VirtualHost.objects.filter(vhost_match).order_by().values("site_id")
    return sites.filter(pk__in=by_name.union(by_vhost))

"""The site page's "Domains" section: each vhost with its status, and inline changes.

An inclusion tag so that the site page and its live fragment (views.sites.site_live) and the
inline answers of views.vhosts all show the same section without each building its rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template

from sites_app.forms.sites import new_request_key
from sites_app.models import Operation, OperationKind, Ownership, PendingRequest
from sites_app.services.verification import zone_parts

register = template.Library()

# What each row says, and its Bootstrap colour.
STATUS = {
    "updating": ("updating", "info"),
    "removing": ("removing", "info"),
    "txt_needed": ("TXT needed", "warning"),
    "txt_seen": ("TXT seen", "success"),
    "active": ("active", "success"),
    "parking": ("parking", "secondary"),
}


@dataclass
class DomainRow:
    name: str
    status: str
    preferred: bool = False
    parking_vhost: bool = False  # the builder's own vhost: never removed
    live: bool = True  # a vhost of the site now (not one that waits to be added)
    records: list = field(default_factory=list)
    prefer_key: str = ""
    remove_key: str = ""

    @property
    def label(self) -> str:
        return STATUS[self.status][0]

    @property
    def colour(self) -> str:
        return STATUS[self.status][1]


def _status(vhost) -> str:
    if vhost.ownership == Ownership.PARKING:
        return "parking"
    if vhost.ownership == Ownership.TXT_NEEDED:
        return "txt_needed"
    if vhost.ownership == Ownership.TXT_SEEN:
        return "txt_seen"
    return "active"


def domain_rows(site) -> tuple[list[DomainRow], list[PendingRequest]]:
    in_flight = (
        Operation.objects.in_flight()
        .filter(site=site, kind=OperationKind.UPDATE_VHOSTS)
        .order_by("-pk")
        .first()
    )
    wanted = list(in_flight.params.get("vhosts", [])) if in_flight else None
    pending = list(
        site.pending_requests.filter(
            status__in=[PendingRequest.Status.WAITING, PendingRequest.Status.READY]
        ).prefetch_related("records")
    )
    records = {r.vhost: r for p in pending for r in p.records.all()}
    rows = []
    for position, vhost in enumerate(site.vhosts.all()):
        status = _status(vhost)
        if wanted is not None and vhost.name not in wanted:
            status = "removing"
        elif wanted is not None and wanted.index(vhost.name) != position:
            status = "updating"
        rows.append(
            DomainRow(
                name=vhost.name,
                status=status,
                preferred=position == 0,
                parking_vhost=vhost.name == site.parking_vhost,
                prefer_key=new_request_key(),
                remove_key=new_request_key(),
            )
        )
    names = {row.name for row in rows}
    for name in wanted or []:
        if name not in names:
            rows.append(DomainRow(name=name, status="updating", live=False))
            names.add(name)
    for name, record in records.items():
        if name not in names:
            status = "txt_seen" if record.seen else "txt_needed"
            rows.append(DomainRow(name=name, status=status, live=False, records=[record]))
    for record in records.values():
        record.relative_name, record.zone = zone_parts(record.txt_name)
    return rows, pending


@register.inclusion_tag("sites/partials/site_domains.html", takes_context=True)
def site_domains(context, site) -> dict:
    rows, pending = domain_rows(site)
    return {
        "site": site,
        "rows": rows,
        "pending": pending,
        "can": context.get("can", {}),
        "csrf_token": context.get("csrf_token"),
        "domain_error": context.get("domain_error", ""),
        "domain_notice": context.get("domain_notice", ""),
        "typed_vhost": context.get("typed_vhost", ""),
        "add_key": new_request_key(),
    }

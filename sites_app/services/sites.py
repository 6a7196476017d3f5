"""Keeping Site rows in step with Gandi: refresh from site.info (the list: `site_sync`)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from sites_app.crypto import SecretUnreadable
from sites_app.gandi.client import GandiClient, SiteInfo
from sites_app.gandi.errors import GandiError, NotFoundError
from sites_app.models import GandiAccount, Ownership, OwnershipRecord, Site, VirtualHost

log = logging.getLogger(__name__)

KEY_UNREADABLE = SecretUnreadable.message


def sync_account(account: GandiAccount, client: GandiClient | None = None):
    """A whole sync of the account in this process (see `site_sync.sync_account`)."""
    from sites_app.services import site_sync

    return site_sync.sync_account(account, client)


def mark_removed(site: Site) -> datetime | None:
    """Gandi no longer has this site: hide it from lists, keep it (and its history).

    The moment it was marked; None when it was marked gone already."""
    now = timezone.now()
    marked = Site.objects.filter(pk=site.pk, removed_at__isnull=True).update(
        removed_at=now,
        state="deleted",
        last_synced_at=now,
        details_due=False,
    )
    return now if marked else None


def mark_gone_at_gandi(site: Site) -> None:
    """A read found the site gone at Gandi (before a sync pass did): mark it, and queue its
    site.deleted webhooks unless a delete of the portal tells them."""
    from sites_app.services import site_events

    with transaction.atomic():
        removed_at = mark_removed(site)
        if removed_at is not None:
            site_events.queue_gone(site.account, removed_at)


@transaction.atomic
def apply_site_info(account: GandiAccount, info: SiteInfo) -> Site:
    """Create or update the Site row and its ordered vhosts from a site.info answer."""
    site, _ = Site.objects.select_for_update().get_or_create(
        account=account, gandi_id=info.id, defaults={"name": info.name}
    )
    site.name = info.name
    site.provider = info.provider or ""
    site.package = info.package or ""
    site.state = info.state or ""
    site.parking_vhost = info.parking_vhost or ""
    site.preferred_vhost = info.vhosts[0] if info.vhosts else ""
    site.date_created = info.date_created
    site.date_updated = info.date_updated
    site.paid_until = info.date_end
    site.last_synced_at = timezone.now()
    site.details_read_at = site.last_synced_at
    site.details_due = False
    site.removed_at = timezone.now() if info.state == "deleted" else None
    site.save()
    _apply_vhosts(site, list(info.vhosts))
    return site


def on_parking_domain(site: Site, name: str) -> bool:
    """The site's parking vhost, or another name on the provider's parking domain."""
    if not site.parking_vhost:
        return False
    domain = site.parking_vhost.partition(".")[2]
    return name == site.parking_vhost or (bool(domain) and name.endswith("." + domain))


def _ownership_for(site: Site, name: str, known: VirtualHost | None) -> dict:
    if on_parking_domain(site, name):
        return {"ownership": Ownership.PARKING, "txt_name": "", "txt_value": ""}
    record = (
        OwnershipRecord.objects.filter(pending__account_id=site.account_id, vhost=name)
        .order_by("-seen", "-id")
        .first()
    )
    if record is not None:
        return {
            "ownership": Ownership.TXT_SEEN if record.seen else Ownership.TXT_NEEDED,
            "txt_name": record.txt_name,
            "txt_value": record.txt_value,
            "last_dns_check_at": record.last_checked_at,
            "last_dns_answer": record.last_answer,
        }
    if known is not None:
        return {}  # what we learnt when it was added still holds
    # Gandi attached it without asking us for a TXT record: a Gandi-managed domain, or a
    # proof made outside the portal; site.info does not say which.
    return {"ownership": Ownership.ACCEPTED, "txt_name": "", "txt_value": ""}


def _apply_vhosts(site: Site, names: list[str]) -> None:
    existing = {vhost.name: vhost for vhost in site.vhosts.all()}
    site.vhosts.exclude(name__in=names).delete()
    for position, name in enumerate(names):
        vhost = existing.get(name)
        fields = {"position": position, **_ownership_for(site, name, vhost)}
        if vhost is None:
            VirtualHost.objects.create(site=site, name=name, **fields)
        else:
            for key, value in fields.items():
                setattr(vhost, key, value)
            vhost.save()


def mark_gandi_managed(site: Site, requested: list[str]) -> None:
    """Vhosts a dry run accepted without a TXT proof are on domains Gandi manages for us,
    or on the provider's parking domain (first come, first served): labelled parking."""
    parking = [name for name in requested if on_parking_domain(site, name)]
    site.vhosts.filter(name__in=parking).update(ownership=Ownership.PARKING)
    site.vhosts.filter(
        name__in=[n for n in requested if n not in parking], ownership=Ownership.ACCEPTED
    ).update(ownership=Ownership.GANDI)


def refresh_site(site: Site, *, for_request: bool = False) -> Site:
    """Re-read one site from site.info (a read: allowed in a view, with `for_request`)."""
    client = site.account.client(for_request=for_request)
    try:
        info = client.site_info(site.gandi_id)
    except NotFoundError:
        mark_gone_at_gandi(site)
        site.refresh_from_db()
        return site
    return apply_site_info(site.account, info)


def refresh_site_in_view(site: Site) -> str:
    """Refresh for a page; on failure return the plain reason and keep the stored data."""
    if site.is_removed:
        return ""
    try:
        refresh_site(site, for_request=True)
    except GandiError as exc:
        return exc.message
    except SecretUnreadable:
        return KEY_UNREADABLE
    site.refresh_from_db()
    return ""

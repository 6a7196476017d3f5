"""Where "Sync from Gandi" stands for each account, so the site list can refresh itself.

Kept in the cache (Redis), not the database: it is a few seconds of progress that nobody needs
after the page has refreshed, and an entry left behind by a killed worker simply expires.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.core.cache import cache

from sites_app.crypto import SecretUnreadable
from sites_app.gandi.errors import GandiError
from sites_app.models import GandiAccount, Site, SiteState
from sites_app.models.operations import IN_FLIGHT
from sites_app.services import sites as site_service

log = logging.getLogger(__name__)

# Longer than any sync should take; after this a "running" sync is presumed lost.
STATUS_TTL = 600
# While a site changes at Gandi without a portal operation to poll (someone acted outside the
# portal), sync again soon rather than show "being created" until the 10-minute sync.
FOLLOW_UP_SECONDS = 30
FOLLOW_UPS = 15


@dataclass(frozen=True)
class SyncState:
    account_id: int
    account_name: str
    requested_at: float
    finished_at: float | None
    summary: str
    error: str

    @property
    def running(self) -> bool:
        return self.finished_at is None


def _key(account: GandiAccount) -> str:
    # The creation time too: a removed account's id may be reused by a new one.
    return f"site-sync:{account.pk}:{account.created_at.timestamp():.6f}"


def mark_requested(accounts: list[GandiAccount]) -> None:
    now = time.time()
    cache.set_many(
        {
            _key(account): {"requested_at": now, "finished_at": None, "summary": "", "error": ""}
            for account in accounts
        },
        STATUS_TTL,
    )


def mark_finished(account: GandiAccount, *, summary: str = "", error: str = "") -> None:
    """Record the end of a sync someone asked for; the periodic sync leaves no message."""
    entry = cache.get(_key(account))
    if entry is None:
        return
    entry.update(finished_at=time.time(), summary=summary, error=error)
    cache.set(_key(account), entry, STATUS_TTL)


def states(accounts: list[GandiAccount]) -> list[SyncState]:
    """The latest sync of each of these accounts that is still remembered."""
    found = cache.get_many([_key(account) for account in accounts])
    return [
        SyncState(
            account_id=account.pk,
            account_name=account.name,
            requested_at=entry["requested_at"],
            finished_at=entry.get("finished_at"),
            summary=entry.get("summary", ""),
            error=entry.get("error", ""),
        )
        for account in accounts
        if (entry := found.get(_key(account))) is not None
    ]


def run_sync(account_id: int) -> str:
    """Sync one account and record how it ended; a Gandi failure is reported, not raised."""
    account = GandiAccount.objects.filter(pk=account_id).first()
    if account is None:
        return "account gone"
    try:
        result = site_service.sync_account(account)
    except GandiError as exc:
        log.warning("sync of account %s failed: %s", account_id, exc.support_text())
        mark_finished(account, error=exc.message)
        return f"failed: {exc.message}"
    except SecretUnreadable:
        mark_finished(account, error=site_service.KEY_UNREADABLE)
        return "failed: key unreadable"
    mark_finished(account, summary=str(result))
    return str(result)


def changing_outside_the_portal(account_id: int) -> bool:
    """A site of the account is in a transitional state with no portal operation on it."""
    return (
        Site.objects.filter(
            account_id=account_id,
            removed_at=None,
            state__in=[
                SiteState.BEING_CREATED,
                SiteState.BEING_UPDATED,
                SiteState.BEING_DELETED,
            ],
        )
        .exclude(operations__status__in=IN_FLIGHT)
        .exists()
    )

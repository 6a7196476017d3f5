"""Running syncs as chains of small tasks, and where each account's sync stands for the list.

A sync task reads pages for about `SYNC_TASK_SECONDS` (well inside Celery's time limits), then
chains the next task; the cursor is in the database (`SiteSync`), so a killed worker or a time
limit loses at most one page, and beat (`continue_syncs`) resumes a pass that stopped moving.
When a pass is done, `site.info` for the sites it made due follows in background tasks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.models import Q
from django.utils import timezone

from sites_app.crypto import SecretUnreadable
from sites_app.gandi.errors import GandiError
from sites_app.models import GandiAccount, Site, SiteState, SiteSync
from sites_app.models.operations import IN_FLIGHT
from sites_app.services import site_details, site_sync
from sites_app.services import sites as site_service

log = logging.getLogger(__name__)

# A request whose sync never started (a lost message) stops showing as running after this.
REQUEST_TTL = 600
# While a site changes at Gandi without a portal operation to poll (someone acted outside the
# portal), sync again soon rather than show "being created" until the 10-minute sync.
FOLLOW_UP_SECONDS = 30
FOLLOW_UPS = 15
# One background details run per account at a time; a run killed mid-way frees it after this.
DETAILS_LOCK_SECONDS = 120


@dataclass(frozen=True)
class SyncState:
    account_id: int
    account_name: str
    running: bool
    finished_at: float | None
    summary: str
    error: str
    sites_read: int = 0
    total: int | None = None

    @property
    def of_total(self) -> int | None:
        """What "N of M read" says for M: sites created during the pass are read too."""
        return None if self.total is None else max(self.total, self.sites_read)


def mark_requested(accounts: list[GandiAccount]) -> None:
    """Someone pressed "Sync from Gandi": the list shows the sync from now on."""
    for account in accounts:
        site_sync.sync_row(account)
    SiteSync.objects.filter(account__in=accounts).update(requested_at=timezone.now())


def states(accounts: list[GandiAccount]) -> list[SyncState]:
    """Running syncs (and requested ones not started yet), and requested syncs that ended."""
    names = {account.pk: account.name for account in accounts}
    now = timezone.now()
    found = []
    for sync in SiteSync.objects.filter(account_id__in=list(names)).order_by("account_id"):
        requested = sync.requested_at
        # Asked for, and neither started nor served since (a pass that was running when the
        # button was pressed serves it when it ends).
        waiting = (
            requested is not None
            and (sync.started_at is None or requested > sync.started_at)
            and (sync.finished_at is None or requested > sync.finished_at)
            and requested > now - timedelta(seconds=REQUEST_TTL)
        )
        moving = sync.running and (
            sync.progressed_at is None or sync.progressed_at > now - timedelta(seconds=REQUEST_TTL)
        )
        if waiting or moving:
            found.append(
                SyncState(
                    sync.account_id,
                    names[sync.account_id],
                    running=True,
                    finished_at=None,
                    summary="",
                    error="",
                    sites_read=sync.sites_read if moving else 0,
                    total=sync.total if moving else None,
                )
            )
        elif (
            requested is not None
            and sync.finished_at is not None
            and sync.started_at is not None
            and requested <= sync.finished_at
        ):
            found.append(
                SyncState(
                    sync.account_id,
                    names[sync.account_id],
                    running=False,
                    finished_at=sync.finished_at.timestamp(),
                    summary=sync.summary,
                    error=sync.error,
                    sites_read=sync.sites_read,
                    total=sync.total,
                )
            )
    return found


def _failed(account: GandiAccount, message: str) -> str:
    site_sync.fail_pass(account, message)
    return f"failed: {message}"


def run_sync(account_id: int, follow_ups_left: int = 0, pass_number: int | None = None) -> str:
    """Start (or, with `pass_number`, continue) a pass and read pages for a while; chain the
    next task, or when the pass is done queue its details and any follow-up sync."""
    account = GandiAccount.objects.filter(pk=account_id).first()
    if account is None:
        return "account gone"
    try:
        client = account.client()
        if pass_number is None:
            sync = site_sync.start_pass(account, client)
            if sync is None:
                return "already running"
        else:
            sync = SiteSync.objects.filter(account=account, pass_number=pass_number).first()
            if sync is None or not sync.running:
                return "pass over"
        more = site_sync.run_pages(account, client, sync, seconds=settings.SYNC_TASK_SECONDS)
    except GandiError as exc:
        log.warning("sync of account %s failed: %s", account_id, exc.support_text())
        return _failed(account, exc.message)
    except SecretUnreadable:
        return _failed(account, site_service.KEY_UNREADABLE)
    except SoftTimeLimitExceeded:
        # The page being written was rolled back; a fresh connection for the next task (a
        # signal inside a transaction can leave this one unusable), then go on from the cursor.
        connections.close_all()
        more = True
        sync = SiteSync.objects.get(account=account)
        log.warning("sync of account %s hit the time limit at id %s", account_id, sync.cursor)
    from sites_app import tasks

    if more:
        tasks.sync_account_sites_pages.delay(account_id, sync.pass_number, follow_ups_left)
        return f"read {SiteSync.objects.get(pk=sync.pk).sites_read} sites so far"
    if site_details.due(account):
        tasks.read_site_details.delay(account_id)
    if follow_ups_left > 0 and changing_outside_the_portal(account_id):
        tasks.sync_account_sites.apply_async(
            (account_id, follow_ups_left - 1), countdown=FOLLOW_UP_SECONDS
        )
    return SiteSync.objects.get(pk=sync.pk).summary


def read_details(account_id: int) -> str:
    """One background run of site.info reads for the account; chains another while some are
    due. Holds a short lock so two runs never read the same sites."""
    account = GandiAccount.objects.filter(pk=account_id).first()
    if account is None:
        return "account gone"
    lock = f"site-details:{account.pk}:{account.created_at.timestamp():.6f}"
    if not cache.add(lock, 1, DETAILS_LOCK_SECONDS):
        return "already running"
    try:
        client = account.client(background=True)
        more = site_details.refresh_some(account, client, seconds=settings.SYNC_TASK_SECONDS)
    except GandiError as exc:
        log.warning("site details of account %s: %s", account_id, exc.support_text())
        return f"failed: {exc.message}"
    except SecretUnreadable:
        return "failed: key unreadable"
    except SoftTimeLimitExceeded:
        connections.close_all()
        more = True
    finally:
        cache.delete(lock)
    from sites_app import tasks

    if more:
        tasks.read_site_details.delay(account_id)
    return f"{site_details.due(account)} still due"


def continue_syncs() -> dict[str, int]:
    """Beat, every 30 s: resume passes that stopped moving (their worker died), and start a
    background details run for accounts with sites to read."""
    from sites_app import tasks

    stalled = [
        sync.account_id
        for sync in SiteSync.objects.filter(status=SiteSync.Status.RUNNING)
        if site_sync.is_stalled(sync)
    ]
    for account_id in stalled:
        tasks.sync_account_sites.delay(account_id, 0)
    age = timezone.now() - timedelta(hours=settings.SITE_DETAILS_REFRESH_HOURS)
    readable = Site.objects.present().filter(
        Q(details_due=True) | Q(details_read_at=None) | Q(details_read_at__lt=age)
    )
    details = [
        account_id
        for account_id in GandiAccount.objects.values_list("pk", flat=True)
        if readable.filter(account_id=account_id).exists()
    ]
    for account_id in details:
        tasks.read_site_details.delay(account_id)
    return {"resumed": len(stalled), "details": len(details)}


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

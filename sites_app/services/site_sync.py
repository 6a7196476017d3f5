"""Sync an account's sites from `site.list`: passes of pages, resumable, in bulk.

A pass reads `site.list` 500 at a time in id order after a cursor (keyset paging: a site
created or deleted mid-pass shifts no page), and writes each page in one transaction with
the cursor: a constant number of queries per page, and a killed worker loses at most the page
it was reading. New sites are listed at once from their list row; `site.info` (their vhosts)
is read later, in the background (`site_details`), only for sites that are new or whose list
row changed. Sites that a completed pass did not list are then marked gone (mark and sweep):
while a pass runs, no site is hidden and none is counted twice.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from sites_app.gandi.client import GandiClient, SiteSummary
from sites_app.gandi.records import MAX_PAGE
from sites_app.models import GandiAccount, Site, SiteSync, VirtualHost
from sites_app.services import site_events

log = logging.getLogger(__name__)

PAGE_SIZE = MAX_PAGE  # Gandi's items_per_page ceiling: 20 calls for 10,000 sites
# A pass that has not moved for this long lost its worker: the next sync resumes it.
STALLED_SECONDS = 60
# A pass that failed (Gandi unreachable) is resumed from its cursor within this long.
RESUME_FAILED_SECONDS = 3600
# What a site.list row says, stored as is; a change in any of them means site.info is due.
LIST_FIELDS = ("name", "provider", "package", "state", "preferred_vhost", "paid_until")


@dataclass
class SyncResult:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return (
            f"{self.added} new, {self.changed} changed, {self.removed} gone, "
            f"{self.unchanged} unchanged"
        )

    @classmethod
    def of(cls, sync: SiteSync) -> SyncResult:
        return cls(sync.added, sync.changed, sync.removed, sync.unchanged)


def sync_row(account: GandiAccount) -> SiteSync:
    return SiteSync.objects.get_or_create(account=account)[0]


def is_stalled(sync: SiteSync) -> bool:
    if not sync.running or sync.progressed_at is None:
        return sync.running
    return sync.progressed_at < timezone.now() - timedelta(seconds=STALLED_SECONDS)


def start_pass(account: GandiAccount, client: GandiClient) -> SiteSync | None:
    """Begin a new pass, or resume one that lost its worker; None while one is moving."""
    with transaction.atomic():
        sync = SiteSync.objects.select_for_update().get(pk=sync_row(account).pk)
        if sync.running:
            if not is_stalled(sync):
                return None
            sync.progressed_at = timezone.now()
            sync.save(update_fields=["progressed_at"])
            log.info("resuming the stalled sync of account %s at id %s", account.pk, sync.cursor)
            return sync
        now = timezone.now()
        if (
            sync.status == SiteSync.Status.FAILED
            and sync.cursor > 0
            and sync.started_at is not None
            and sync.started_at > now - timedelta(seconds=RESUME_FAILED_SECONDS)
        ):
            sync.status, sync.error, sync.progressed_at = SiteSync.Status.RUNNING, "", now
            sync.finished_at = None
            sync.save(update_fields=["status", "error", "progressed_at", "finished_at"])
            log.info("resuming the failed sync of account %s at id %s", account.pk, sync.cursor)
            return sync
        SiteSync.objects.filter(pk=sync.pk).update(
            pass_number=F("pass_number") + 1,
            status=SiteSync.Status.RUNNING,
            cursor=0,
            total=None,
            sites_read=0,
            pages_read=0,
            added=0,
            changed=0,
            unchanged=0,
            removed=0,
            started_at=now,
            progressed_at=now,
            finished_at=None,
            error="",
        )
    # Outside the transaction: no database lock is held across a call to Gandi.
    total = client.site_count()
    SiteSync.objects.filter(pk=sync.pk).update(total=total)
    sync.refresh_from_db()
    return sync


def fail_pass(account: GandiAccount, error: str) -> None:
    SiteSync.objects.filter(account=account, status=SiteSync.Status.RUNNING).update(
        status=SiteSync.Status.FAILED, error=error, finished_at=timezone.now()
    )


def read_page(account: GandiAccount, client: GandiClient, sync: SiteSync) -> bool:
    """Read and store the page after the cursor; True while the pass has more to read.

    False also when another task already moved this pass on (a duplicate message)."""
    fetched_at = timezone.now()  # what the portal wrote after this moment is newer than the page
    summaries = client.site_list({">id": sync.cursor}, per_page=PAGE_SIZE, sort_by="id")
    if not _store_page(account, sync, summaries, fetched_at=fetched_at):
        return False
    if len(summaries) < PAGE_SIZE:
        finish_pass(account, sync)
        return False
    return True


def _list_values(summary: SiteSummary) -> dict:
    return {
        "name": summary.name,
        "provider": summary.provider or "",
        "package": summary.package or "",
        "state": summary.state or "",
        "preferred_vhost": summary.vhost or "",
        "paid_until": summary.date_end,
    }


def _store_page(
    account: GandiAccount,
    sync: SiteSync,
    summaries: list[SiteSummary],
    *,
    fetched_at: datetime | None = None,
) -> bool:
    """Write one page of list rows and move the cursor, all or nothing (6 queries a page;
    3 more for the site.created webhooks of new sites, once the account is imported).

    A row the portal wrote after the page was fetched (`fetched_at`: a delete or change that
    just finished) is newer than the page: it is only counted as listed (one more UPDATE),
    never reverted."""
    now = timezone.now()
    fetched_at = fetched_at or now
    by_id = {summary.id: summary for summary in summaries}
    with transaction.atomic():
        claimed = SiteSync.objects.select_for_update().get(pk=sync.pk)
        if (
            claimed.pass_number != sync.pass_number
            or claimed.cursor != sync.cursor
            or not claimed.running
        ):
            return False  # another task read this page first, or the pass ended
        existing = {
            row[0]: row
            for row in Site.objects.filter(account=account, gandi_id__in=list(by_id)).values_list(
                "gandi_id", "pk", "removed_at", "last_synced_at", *LIST_FIELDS
            )
        }
        new, changed, unchanged, newer = [], [], [], []
        for gandi_id, summary in by_id.items():
            values = _list_values(summary)
            row = existing.get(gandi_id)
            if row is None:
                new.append(
                    Site(
                        account=account,
                        gandi_id=gandi_id,
                        date_created=summary.date_created,
                        listed_in_pass=sync.pass_number,
                        last_synced_at=now,
                        details_due=True,
                        **values,
                    )
                )
            elif (row[3] is not None and row[3] > fetched_at) or (
                row[2] is not None and row[2] > fetched_at
            ):
                newer.append(row[1])
            elif row[2] is not None or tuple(values[f] for f in LIST_FIELDS) != row[4:]:
                changed.append(
                    Site(
                        pk=row[1],
                        listed_in_pass=sync.pass_number,
                        last_synced_at=now,
                        details_due=True,
                        removed_at=None,
                        **values,
                    )
                )
            else:
                unchanged.append(row[1])
        if new:
            Site.objects.bulk_create(new, batch_size=PAGE_SIZE)
            if new[0].pk is None:  # a database that does not return the new ids
                pks = dict(
                    Site.objects.filter(
                        account=account, gandi_id__in=[s.gandi_id for s in new]
                    ).values_list("gandi_id", "pk")
                )
                for site in new:
                    site.pk = pks[site.gandi_id]
            # The list row names the preferred vhost: searchable at once; site.info adds the rest.
            VirtualHost.objects.bulk_create(
                [
                    VirtualHost(site_id=site.pk, name=site.preferred_vhost, position=0)
                    for site in new
                    if site.preferred_vhost
                ],
                batch_size=PAGE_SIZE,
                ignore_conflicts=True,
            )
            # Created at Gandi, outside the portal; the first pass is the import, not news.
            if claimed.completed_passes:
                site_events.queue_found(account, new)
        if changed:
            Site.objects.bulk_update(
                changed,
                [*LIST_FIELDS, "listed_in_pass", "last_synced_at", "details_due", "removed_at"],
                batch_size=PAGE_SIZE,
            )
        if unchanged:
            Site.objects.filter(pk__in=unchanged).update(
                listed_in_pass=sync.pass_number, last_synced_at=now
            )
        if newer:
            Site.objects.filter(pk__in=newer).update(listed_in_pass=sync.pass_number)
        cursor = max(by_id) if by_id else sync.cursor
        SiteSync.objects.filter(pk=sync.pk).update(
            cursor=cursor,
            pages_read=F("pages_read") + 1,
            sites_read=F("sites_read") + len(by_id),
            added=F("added") + len(new),
            changed=F("changed") + len(changed),
            unchanged=F("unchanged") + len(unchanged) + len(newer),
            progressed_at=now,
        )
    sync.cursor = cursor
    return True


def finish_pass(account: GandiAccount, sync: SiteSync) -> int:
    """The pass listed every site: mark gone the present ones it did not list (one UPDATE),
    and queue their site.deleted webhooks.

    A site the portal itself wrote since the pass began (a create that just finished) is
    spared: Gandi may have listed it after the pass had read past its id."""
    now = timezone.now()
    with transaction.atomic():
        removed = (
            Site.objects.filter(account=account, removed_at=None)
            .exclude(listed_in_pass=sync.pass_number)
            .filter(Q(last_synced_at__lt=sync.started_at) | Q(last_synced_at=None))
            .update(removed_at=now, state="deleted", last_synced_at=now, details_due=False)
        )
        if removed:
            site_events.queue_gone(account, removed_at=now)
        SiteSync.objects.filter(pk=sync.pk, pass_number=sync.pass_number).update(
            completed_passes=F("completed_passes") + 1,
            status=SiteSync.Status.DONE,
            removed=removed,
            finished_at=now,
            progressed_at=now,
        )
    log.info("synced account %s: %s", account.pk, SyncResult.of(SiteSync.objects.get(pk=sync.pk)))
    return removed


def run_pages(
    account: GandiAccount, client: GandiClient, sync: SiteSync, *, seconds: float
) -> bool:
    """Read pages for about `seconds` (at least one); True when the pass has more to read."""
    deadline = time.monotonic() + seconds
    while read_page(account, client, sync):
        if time.monotonic() >= deadline:
            return True
    return False


def sync_account(account: GandiAccount, client: GandiClient | None = None) -> SyncResult:
    """A whole pass in this process, then the site.info reads it made due (tests, commands).

    Workers use the chained tasks instead (`tasks.sync_account_sites`)."""
    from sites_app.services import site_details

    client = client or account.client()
    sync = start_pass(account, client)
    if sync is None:
        raise RuntimeError("a sync of this account is already running")
    run_pages(account, client, sync, seconds=float("inf"))
    site_details.read_due(account, client)
    return SyncResult.of(SiteSync.objects.get(pk=sync.pk))

"""`site.info` in the background: the sites a sync made due, then a slow rolling refresh.

Both run on the background share of the key's rate limit (`GANDI_BACKGROUND_SHARE`, half by
default), so a person's own calls always find room. A site someone opens is read at once by
a `refresh_site` task the page queues (`site_refresh.queue_refresh`), on the people's budget.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from sites_app.gandi.client import GandiClient
from sites_app.gandi.errors import (
    CertificateError,
    GandiError,
    InvalidKeyError,
    NotFoundError,
    TransientError,
)
from sites_app.models import GandiAccount, Site
from sites_app.services import sites as site_service

log = logging.getLogger(__name__)

BATCH = 25  # sites fetched from the database at a time
# At most this many not-due sites are re-read per run; beat starts a run every 30 s.
ROLLING_PER_RUN = 50


def due(account: GandiAccount) -> int:
    return Site.objects.present().filter(account=account, details_due=True).count()


def _due_batch(account: GandiAccount) -> list[Site]:
    return list(
        Site.objects.present()
        .filter(account=account, details_due=True)
        .order_by("gandi_id")[:BATCH]
    )


def _stale_batch(account: GandiAccount, limit: int) -> list[Site]:
    age = timedelta(hours=settings.SITE_DETAILS_REFRESH_HOURS)
    return list(
        Site.objects.present()
        .filter(account=account, details_due=False)
        .filter(Q(details_read_at=None) | Q(details_read_at__lt=timezone.now() - age))
        .order_by(F("details_read_at").asc(nulls_first=True), "gandi_id")[:limit]
    )


# Errors of the account or of Gandi as a whole: the next site would fail the same way, so
# the run stops (and the next one starts where this one stopped).
STOP_ON = (TransientError, InvalidKeyError, CertificateError)


def _read(account: GandiAccount, client: GandiClient, sites: list[Site]) -> None:
    for site in sites:
        try:
            info = client.site_info(site.gandi_id)
        except NotFoundError:
            site_service.mark_gone_at_gandi(site)  # deleted since it was listed
            continue
        except STOP_ON:
            raise
        except GandiError as exc:
            # This one site cannot be read (a reply of odd shape, a refusal): set it aside
            # until the rolling refresh, so it does not head every batch and block the rest.
            log.warning(
                "site %s (Gandi id %s) could not be read: %s",
                site.pk,
                site.gandi_id,
                exc.support_text(),
            )
            Site.objects.filter(pk=site.pk).update(
                details_due=False, details_read_at=timezone.now()
            )
            continue
        site_service.apply_site_info(account, info)


def read_due(account: GandiAccount, client: GandiClient, *, seconds: float = float("inf")) -> bool:
    """Read site.info for due sites for about `seconds`; True when some are still due."""
    deadline = time.monotonic() + seconds
    while batch := _due_batch(account):
        _read(account, client, batch)
        if time.monotonic() >= deadline:
            return bool(_due_batch(account))
    return False


def refresh_some(account: GandiAccount, client: GandiClient, *, seconds: float) -> bool:
    """One background run: due sites first, then a few of the longest unread; True when
    due sites remain (the caller chains another run at once)."""
    if read_due(account, client, seconds=seconds):
        return True
    stale = _stale_batch(account, ROLLING_PER_RUN)
    if stale:
        _read(account, client, stale)
        log.info("re-read %d sites of account %s in the background", len(stale), account.pk)
    return False

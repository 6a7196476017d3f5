"""A site page reads, never writes: it asks a worker to re-read the site from Gandi.

The page shows what the database holds; `queue_refresh` sends at most one `refresh_site`
task per site per `REFRESH_EVERY` seconds (deduplicated in the cache, the only write a page
view makes), and the worker applies what `site.info` says.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from kombu.exceptions import OperationalError

from sites_app.crypto import SecretUnreadable
from sites_app.gandi.errors import GandiError
from sites_app.models import Site

logger = logging.getLogger(__name__)

REFRESH_EVERY = 30  # seconds: a page reloaded often does not re-read the site each time


def refresh_key(site_id: int) -> str:
    return f"site-refresh:{site_id}"


def queue_refresh(site: Site) -> bool:
    """Ask a worker to re-read `site` from Gandi; False when one was asked for recently."""
    from sites_app import tasks  # tasks import the services

    if site.is_removed or not cache.add(refresh_key(site.pk), 1, REFRESH_EVERY):
        return False
    try:
        tasks.refresh_site.delay(site.pk)
    except OperationalError as exc:  # the broker is down: the page still shows what we know
        cache.delete(refresh_key(site.pk))
        logger.warning("could not queue a refresh of site %s: %s", site.pk, exc)
        return False
    return True


def refresh_site_by_id(site_id: int) -> str:
    """The worker's side: re-fetch the row, re-read it from Gandi; says what happened."""
    from sites_app.services.sites import refresh_site

    site = Site.objects.select_related("account").filter(pk=site_id).first()
    if site is None or site.is_removed:
        return "gone"
    try:
        refresh_site(site)
    except GandiError as exc:
        logger.info("refresh of site %s failed: %s", site_id, exc.message)
        return "failed"
    except SecretUnreadable:
        logger.warning("refresh of site %s: the account's API key cannot be read", site_id)
        return "failed"
    return "refreshed"

"""Gandi's offers and prices, read once and kept briefly in the cache (Redis) per account.

A create through the form used to read `site.package.list` on the GET and again on the POST;
the offers change rarely, so pages read them from here. Failures are never cached.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

from sites_app.gandi.client import Package, Price
from sites_app.models import GandiAccount

PACKAGES_SECONDS = 300
# Prices are quoted to people before they spend: kept for a shorter while.
PRICES_SECONDS = 60


def _key(account: GandiAccount, what: str) -> str:
    # The endpoint and key hint too: a replaced key or a new endpoint may see other offers.
    where = hashlib.sha256(f"{account.url}|{account.key_hint}".encode()).hexdigest()[:12]
    return f"gandi-catalog:{account.pk}:{account.created_at.timestamp():.6f}:{where}:{what}"


def packages(
    account: GandiAccount, provider: str = "basekit_whitelabel", *, for_request: bool = True
) -> list[Package]:
    """`site.package.list` for the provider, from the cache when it was read recently."""
    key = _key(account, f"packages:{provider}")
    found = cache.get(key)
    if found is None:
        found = account.client(for_request=for_request).package_list(provider)
        cache.set(key, found, PACKAGES_SECONDS)
    return found


def prices(
    account: GandiAccount,
    *,
    provider: str,
    package: str | None = None,
    action: str | None = None,
    duration: int | None = None,
    for_request: bool = True,
) -> list[Price]:
    """`catalog.list` for one product and action, from the cache when read in the last minute."""
    key = _key(account, f"prices:{provider}:{package}:{action}:{duration}")
    found = cache.get(key)
    if found is None:
        found = account.client(for_request=for_request).catalog_prices(
            provider=provider, package=package, action=action, duration=duration
        )
        cache.set(key, found, PRICES_SECONDS)
    return found

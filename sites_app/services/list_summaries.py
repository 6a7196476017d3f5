"""Team-wide figures that lists show beside their rows, computed in one query each.

The sites list used six team-wide scans per request (two counts, the states, their counts,
the packages, the last sync). `site_summary` reads them all in one GROUP BY. For a large
team (at least `LARGE` rows) the figures are kept in the cache for `LARGE_TTL` seconds, so
the list's cost no longer grows with the team; small teams read them fresh every time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Max

from sites_app.models import Site, Team

LARGE = 1000
LARGE_TTL = 15  # seconds a large team's figures may lag behind its rows


@dataclass
class SiteSummary:
    total: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    packages: list[str] = field(default_factory=list)
    last_sync: datetime | None = None


def _key(team: Team, what: str) -> str:
    # The team's creation time is part of the key: ids are reused (SQLite after a rollback,
    # a restored backup), figures of an earlier team with the same id must never show.
    return f"list-summary:{what}:{team.pk}:{team.created_at.timestamp() if team.created_at else 0}"


def cached_when_large(team: Team, what: str, compute, size_of):
    """`compute()`, kept `LARGE_TTL` s in the cache when `size_of(result)` reaches `LARGE`."""
    key = _key(team, what)
    found = cache.get(key)
    if found is not None:
        return found
    result = compute()
    if size_of(result) >= LARGE:
        cache.set(key, result, LARGE_TTL)
    return result


def forget(team: Team) -> None:
    """Drop the kept figures, e.g. when a sync of the team has just finished."""
    cache.delete_many([_key(team, "sites"), _key(team, "audit-choices")])


def site_summary(team: Team) -> SiteSummary:
    def compute() -> SiteSummary:
        summary = SiteSummary()
        packages: set[str] = set()
        rows = (
            Site.objects.present()
            .filter(account__team=team)
            .values("state", "package")
            .annotate(n=Count("pk"), last=Max("last_synced_at"))
            .order_by()
        )
        for row in rows:
            summary.total += row["n"]
            summary.by_state[row["state"]] = summary.by_state.get(row["state"], 0) + row["n"]
            if row["package"]:
                packages.add(row["package"])
            if row["last"] and (summary.last_sync is None or row["last"] > summary.last_sync):
                summary.last_sync = row["last"]
        summary.packages = sorted(packages)
        summary.by_state = dict(sorted(summary.by_state.items()))
        return summary

    return cached_when_large(team, "sites", compute, lambda s: s.total)

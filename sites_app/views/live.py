"""Live fragments: a page polls its fragment often and cheaply; it is re-rendered only on change.

A fragment carries the version of what it shows (a short hash of the rows' ids, statuses and
update times). Its poll sends that version back; when nothing changed the answer is
`204 No Content`, which htmx leaves alone, so a poll costs the queries that compute the
version and no rendering. A fragment rendered with nothing in flight has no trigger, so
polling stops by itself.
"""

from __future__ import annotations

import hashlib

from django.http import HttpResponse

# How often an open page asks whether its fragment changed (templates read it as POLL).
POLL_INTERVAL = "500ms"


def version_of(*parts) -> str:
    """A short, stable token for what a fragment shows."""
    return hashlib.blake2s(repr(parts).encode(), digest_size=8).hexdigest()


def rows_version(rows) -> str:
    return version_of([(row.pk, getattr(row, "status", ""), row.updated_at) for row in rows])


def unchanged(request, version: str) -> HttpResponse | None:
    """204 when the page already shows this version, so htmx keeps what it has."""
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    return None

"""Calls made of several Gandi requests: every page, batches of ids, and the look-ups that
recovery makes after an AmbiguousError (look before re-sending). Built only on the client's
single-request reads, so this module needs no transport and imports no xmlrpc."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from .records import MAX_PAGE, OperationInfo, SiteSummary


class Lookups:
    """Mixed into GandiClient, which provides site_list and operation_list."""

    def site_list(
        self,
        filters: dict | None = None,
        *,
        page: int = 0,
        per_page: int = 100,
        sort_by: str | None = None,
    ) -> list[SiteSummary]:
        raise NotImplementedError

    def operation_list(
        self,
        filters: dict | None = None,
        *,
        page: int = 0,
        per_page: int = 100,
        sort_by: str | None = None,
    ) -> list[OperationInfo]:
        raise NotImplementedError

    def iter_sites(
        self, filters: dict | None = None, *, per_page: int = 100
    ) -> Iterator[SiteSummary]:
        """Every site matching `filters`, page by page, in id order (stable while paging)."""
        page = 0
        while True:
            batch = self.site_list(filters, page=page, per_page=per_page, sort_by="id")
            yield from batch
            if len(batch) < per_page:
                return
            page += 1

    def operations_by_id(self, ids: Iterable[int]) -> dict[int, OperationInfo]:
        """Many operations in one `operation.list` call per 500 ids; unknown ids are absent."""
        wanted = sorted({int(i) for i in ids})
        found: dict[int, OperationInfo] = {}
        for start in range(0, len(wanted), MAX_PAGE):
            chunk = wanted[start : start + MAX_PAGE]
            for op in self.operation_list({"id": chunk}, per_page=MAX_PAGE):
                found[op.id] = op
        return found

    # --- recovery after an AmbiguousError: look before re-sending ---

    def find_site_by_name(self, name: str) -> SiteSummary | None:
        """The newest site with exactly this name, or None."""
        sites = self.site_list({"name": name}, per_page=MAX_PAGE, sort_by="id desc")
        exact = [site for site in sites if site.name == name]
        return exact[0] if exact else None

    def find_created_site(
        self, *, name: str, vhosts: Iterable[str], since: datetime | None = None
    ) -> SiteSummary | None:
        """The site that a create of `vhosts` made, or None.

        A vhost belongs to one site at a time, so the preferred (first) vhost identifies the
        site; the name only narrows the list (two sites may share a name). `since` rules out
        an older site that held the vhost before it was freed."""
        wanted = [v.lower() for v in vhosts]
        if not wanted:
            return None
        sites = self.site_list({"name": name}, per_page=MAX_PAGE, sort_by="id desc")
        for site in sites:
            if site.name != name or (site.vhost or "").lower() != wanted[0]:
                continue
            if since is not None and site.date_created is not None and site.date_created < since:
                continue
            return site
        return None

    def find_operations(
        self, *, type: str, site_id: int | None = None, since: datetime | None = None
    ) -> list[OperationInfo]:
        """Operations of `type` (for `site_id`, created after `since`), newest first.

        Pass a `since` a little before the lost call: Gandi's clock is not ours."""
        filters: dict[str, Any] = {"type": type}
        if site_id is not None:
            filters["site_id"] = int(site_id)
        if since is not None:
            # Filters compare whole seconds: step back one so the same second still matches.
            filters[">date_created"] = since - timedelta(seconds=1)
        found: list[OperationInfo] = []
        page = 0
        while True:
            batch = self.operation_list(
                filters, page=page, per_page=MAX_PAGE, sort_by="date_created desc"
            )
            found.extend(batch)
            if len(batch) < MAX_PAGE:
                return found
            page += 1


def same_create(candidate: OperationInfo, vhosts: Iterable[str]) -> bool:
    """Whether a `sitebuilder_create` operation is the create of exactly these vhosts."""
    sent = candidate.params.get("vhosts") if candidate.params else None
    if not isinstance(sent, list | tuple):
        return False
    return [str(v).lower() for v in sent] == [v.lower() for v in vhosts]

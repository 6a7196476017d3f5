"""Cursor pagination: no COUNT, and a page costs the same at any depth (an index per sort)."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination


class PortalCursorPagination(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-id")

    def get_page_size(self, request):
        try:
            return super().get_page_size(request)
        except (OverflowError, ValueError):
            return self.page_size


class KeysetPagination(PortalCursorPagination):
    """Pages in the order of an index, the cursor holding the last row's values of its keys.

    The view's `keyset(request)` gives the keys, e.g. ("paid_until", "gandi_id", "pk"), all
    ascending or all descending, the last one unique. A first key that may be NULL puts its
    NULL rows after all the others whichever the direction: the rows with a value are read,
    then those without, each in index order (`paid_until >= x` then `paid_until IS NULL`),
    so every query is an index range scan and no row is read twice or skipped.
    Same links as DRF's cursor pages (`next`, `previous`, `results`).
    """

    def paginate_queryset(self, queryset: QuerySet, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.keys, self.descending = view.keyset(request)
        model = queryset.model
        self.fields = [model._meta.pk if k == "pk" else model._meta.get_field(k) for k in self.keys]
        self.cursor = self.decode_cursor(request)
        reverse = bool(self.cursor and self.cursor.reverse)
        after = self._position(self.cursor.position) if self.cursor else None
        rows = self._walk(queryset, after, backwards=reverse, limit=self.page_size + 1)
        more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if reverse:
            self.page.reverse()
            self.has_next, self.has_previous = after is not None, more
        else:
            self.has_next, self.has_previous = more, after is not None
        return self.page

    def _walk(self, queryset: QuerySet, after: list | None, *, backwards: bool, limit: int):
        """Up to `limit` rows following `after` (preceding it when `backwards`)."""
        descending = self.descending != backwards
        order = [f"-{key}" if descending else key for key in self.keys]
        first = self.keys[0]
        # The phases of the order: rows with a first key, then those without (NULLs last).
        phases = [False, True] if self.fields[0].null else [None]
        if backwards:
            phases.reverse()
        reached = after is None
        rows: list = []
        for is_null in phases:
            part = queryset if is_null is None else queryset.filter(**{f"{first}__isnull": is_null})
            if not reached:
                if is_null is not None and is_null != (after[0] is None):
                    continue  # a phase before the cursor's
                reached = True
                keys, values = (self.keys[1:], after[1:]) if is_null else (self.keys, after)
                part = part.filter(_following(keys, values, descending))
            rows += list(part.order_by(*order)[: limit - len(rows)])
            if len(rows) >= limit:
                break
        return rows

    @property
    def _sort(self) -> str:
        return ("-" if self.descending else "") + ",".join(self.keys)

    def _position(self, raw: str | None) -> list:
        """The values of the cursor's row; a cursor of another sort (or none of ours): 404."""
        try:
            found = json.loads(raw or "")
            values = found["after"]
            if found["sort"] != self._sort or len(values) != len(self.fields):
                raise ValueError
            pairs = zip(self.fields, values, strict=True)
            out = [f.to_python(v) if v is not None else None for f, v in pairs]
        except (ValueError, TypeError, KeyError, ValidationError):
            raise NotFound(self.invalid_cursor_message) from None
        if any(v is None for v, f in zip(out, self.fields, strict=True) if not f.null):
            raise NotFound(self.invalid_cursor_message)
        return out

    def _position_of(self, row) -> str:
        values = [getattr(row, key) for key in self.keys]
        values = [v.isoformat() if hasattr(v, "isoformat") else v for v in values]
        return json.dumps({"sort": self._sort, "after": values})

    def get_next_link(self):
        if not self.has_next or not self.page:
            return None
        cursor = Cursor(offset=0, reverse=False, position=self._position_of(self.page[-1]))
        return self.encode_cursor(cursor)

    def get_previous_link(self):
        if not self.has_previous or not self.page:
            return None
        cursor = Cursor(offset=0, reverse=True, position=self._position_of(self.page[0]))
        return self.encode_cursor(cursor)


def _following(keys: list[str], values: list, descending: bool) -> Q:
    """Rows after `values` in the order of `keys`: (a, b, c) > (x, y, z), written so that
    the index sees a range on its first column (a >= x) and not only an OR."""
    op = "lt" if descending else "gt"
    after = Q()
    equal: dict = {}
    for key, value in zip(keys, values, strict=True):
        after |= Q(**equal, **{f"{key}__{op}": value})
        equal[key] = value
    return Q(**{f"{keys[0]}__{op}e": values[0]}) & after

"""Cursor pagination: no COUNT, and a page costs the same at any depth (an index per sort)."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class PortalCursorPagination(CursorPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-id")

    def get_ordering(self, request, queryset, view):
        chosen = getattr(view, "cursor_ordering", None)
        return tuple(chosen(request)) if chosen else self.ordering

    def get_page_size(self, request):
        try:
            return super().get_page_size(request)
        except (OverflowError, ValueError):
            return self.page_size

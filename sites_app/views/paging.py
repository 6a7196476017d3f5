"""Pages of a list without counting the whole list.

Django's Paginator runs `COUNT(*)` over every matching row to number the pages; on a team
with 50,000 rows that count is most of the page's cost. This one reads one row more than a
page to know whether there is a next page, so the first page costs the same at any size.
Counts that a page shows are capped (`capped_count`) for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

# Counts above this are shown as "1,000+": counting further costs more than it tells.
COUNT_CAP = 1000
# Pages beyond this are refused with a message: reading them means skipping every row before.
MAX_PAGE = 400


@dataclass
class LightPage:
    """One page of a list: its rows, its number, and whether pages come before and after."""

    object_list: list
    number: int
    has_next: bool
    problem: str = ""
    _per_page: int = field(default=25, repr=False)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def page_number(raw: str | None) -> tuple[int, str]:
    """The page asked for in the URL; a bad or huge value gives page 1 and says why."""
    if raw in (None, ""):
        return 1, ""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1, f"“{str(raw)[:20]}” is not a page number; showing the first page."
    if number < 1:
        return 1, "Page numbers start at 1; showing the first page."
    if number > MAX_PAGE:
        return 1, (
            f"Only the first {MAX_PAGE} pages can be shown; narrow the list with the filters."
        )
    return number, ""


def light_page(queryset: QuerySet, raw_number: str | None, per_page: int) -> LightPage:
    number, problem = page_number(raw_number)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    if not rows and number > 1:  # past the end (rows went away): show the first page
        return light_page(queryset, None, per_page)
    return LightPage(
        object_list=rows[:per_page],
        number=number,
        has_next=len(rows) > per_page,
        problem=problem,
        _per_page=per_page,
    )


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows match, counted up to `cap`: (count, whether there are more)."""
    found = queryset.order_by()[: cap + 1].count()
    return min(found, cap), found > cap


def page_count(page: LightPage, queryset: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """`capped_count`, without a query when the page is the last one (it knows its rows)."""
    if not page.has_next:
        return (page.number - 1) * page._per_page + len(page.object_list), False
    return capped_count(queryset, cap)

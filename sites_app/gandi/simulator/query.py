"""Filters, paging and sorting shared by every ``*.list`` and ``*.count`` method (§3).

Filters: ``key: value`` equality, ``key: [v1, v2]`` "in", ``~key: '%part%'`` SQL LIKE
(case-insensitive), ``>key`` / ``<key`` strictly greater / lower. Unknown keys are a fault.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import catalog, faults

MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 100
PAGING_KEYS = {"items_per_page", "page", "sort_by"}


@dataclass(frozen=True)
class ListSpec:
    """What one list method accepts: field name -> kind ('int', 'str', 'date', 'rank')."""

    fields: dict[str, str]
    equal: frozenset[str]
    like: frozenset[str] = frozenset()
    compare: frozenset[str] = frozenset()
    sort: frozenset[str] = frozenset()
    # For 'rank' fields (packages): value -> position in offer order.
    rank: Callable[[str], int] | None = None
    aliases: dict[str, str] = field(default_factory=dict)


def _as_int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise faults.bad_parameter(f"Filter {name!r} expects an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise faults.bad_parameter(f"Filter {name!r} expects an integer")


def parse_date(name: str, value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y%m%dT%H:%M:%S"):
            try:
                return datetime.strptime(value.strip(), fmt)
            except ValueError:
                continue
    raise faults.bad_parameter(f"Filter {name!r} expects a date 'YYYY-MM-DD HH:MM:SS'")


def _convert(spec: ListSpec, name: str, key: str, value: Any) -> Any:
    kind = spec.fields[name]
    if kind == "int":
        return _as_int(key, value)
    if kind == "date":
        return parse_date(key, value)
    if not isinstance(value, str) or len(value) > 1024:
        raise faults.bad_parameter(f"Filter {key!r} expects a string")
    if kind == "rank":
        assert spec.rank is not None
        try:
            spec.rank(value)
        except ValueError:
            raise faults.bad_package(f"Unknown package {value!r}") from None
    return value


def _like_pattern(key: str, value: Any) -> re.Pattern:
    if not isinstance(value, str) or len(value) > 1024:
        raise faults.bad_parameter(f"Filter {key!r} expects a string pattern")
    parts = (".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in value)
    return re.compile("^" + "".join(parts) + "$", re.IGNORECASE | re.DOTALL)


def _build_predicates(opts: dict, spec: ListSpec) -> list[Callable[[dict], bool]]:
    predicates: list[Callable[[dict], bool]] = []
    for key, value in opts.items():
        if key in PAGING_KEYS:
            continue
        if not isinstance(key, str):
            raise faults.bad_parameter("Filter names must be strings")
        op, name = (key[0], key[1:]) if key[:1] in "~<>" else ("=", key)
        name = spec.aliases.get(name, name)
        allowed = {"=": spec.equal, "~": spec.like, "<": spec.compare, ">": spec.compare}[op]
        if name not in allowed:
            raise faults.bad_parameter(f"Unknown filter {key!r}")
        if op == "~":
            pattern = _like_pattern(key, value)
            predicates.append(
                lambda item, n=name, p=pattern: (
                    item.get(n) is not None and bool(p.match(str(item[n])))
                )
            )
        elif op == "=":
            values = value if isinstance(value, list) else [value]
            if len(values) > 10_000:
                raise faults.bad_parameter(f"Filter {key!r} has too many values")
            wanted = {_convert(spec, name, key, v) for v in values}
            predicates.append(lambda item, n=name, w=wanted: item.get(n) in w)
        else:
            bound = _convert(spec, name, key, value)
            sort_key = _sort_value(spec, name)
            bound_key = sort_key(bound)
            if op == ">":
                predicates.append(
                    lambda item, n=name, b=bound_key, k=sort_key: (
                        item.get(n) is not None and k(item[n]) > b
                    )
                )
            else:
                predicates.append(
                    lambda item, n=name, b=bound_key, k=sort_key: (
                        item.get(n) is not None and k(item[n]) < b
                    )
                )
    return predicates


def _sort_value(spec: ListSpec, name: str) -> Callable[[Any], Any]:
    if spec.fields.get(name) == "rank" and spec.rank is not None:
        return spec.rank
    if spec.fields.get(name) == "str":
        return lambda v: str(v).lower()
    return lambda v: v


def _check_opts(opts: Any) -> dict:
    if opts is None:
        return {}
    if not isinstance(opts, dict):
        raise faults.bad_parameter("Options must be a struct")
    return opts


def filter_items(items: Iterable[dict], opts: Any, spec: ListSpec) -> list[dict]:
    opts = _check_opts(opts)
    predicates = _build_predicates(opts, spec)
    return [item for item in items if all(p(item) for p in predicates)]


def count(items: Iterable[dict], opts: Any, spec: ListSpec) -> int:
    return len(filter_items(items, opts, spec))


def select(items: Iterable[dict], opts: Any, spec: ListSpec) -> list[dict]:
    """Filter, sort and cut one page, as ``*.list`` does."""
    opts = _check_opts(opts)
    per_page = opts.get("items_per_page", DEFAULT_PER_PAGE)
    page = opts.get("page", 0)
    if isinstance(per_page, bool) or not isinstance(per_page, int):
        raise faults.bad_parameter("items_per_page must be an integer")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise faults.bad_parameter(f"items_per_page must be between 1 and {MAX_PER_PAGE}")
    if isinstance(page, bool) or not isinstance(page, int) or page < 0:
        raise faults.bad_parameter("page must be an integer, 0 or more")
    selected = filter_items(items, opts, spec)
    sort_by = opts.get("sort_by")
    if sort_by is not None:
        if not isinstance(sort_by, str):
            raise faults.bad_parameter("sort_by must be a string")
        words = sort_by.split()
        if not 1 <= len(words) <= 2 or (
            len(words) == 2 and words[1].lower() not in {"asc", "desc"}
        ):
            raise faults.bad_parameter("sort_by must read 'field', 'field asc' or 'field desc'")
        name = spec.aliases.get(words[0], words[0])
        if name not in spec.sort:
            raise faults.bad_parameter(f"Cannot sort by {words[0]!r}")
        descending = len(words) == 2 and words[1].lower() == "desc"
        key = _sort_value(spec, name)
        present = [i for i in selected if i.get(name) is not None]
        missing = [i for i in selected if i.get(name) is None]
        present.sort(key=lambda i: (key(i[name]), i.get("id", 0)), reverse=descending)
        selected = present + missing
    start = page * per_page
    return selected[start : start + per_page]


# --- what each list method accepts (contract §4.1, §4.2, §7) ---
SITE_SPEC = ListSpec(
    fields={
        "id": "int",
        "name": "str",
        "state": "str",
        "package": "rank",
        "provider": "str",
        "date_created": "date",
        "date_end": "date",
    },
    equal=frozenset({"id", "name", "state", "package", "provider"}),
    like=frozenset({"name"}),
    compare=frozenset({"id", "date_created", "date_end", "package"}),
    sort=frozenset({"id", "name", "date_created", "date_end"}),
    rank=catalog.package_rank,
)
OPERATION_SPEC = ListSpec(
    fields={
        "id": "int",
        "type": "str",
        "step": "str",
        "site_id": "int",
        "date_created": "date",
        "date_updated": "date",
        "date_start": "date",
    },
    equal=frozenset({"id", "type", "step", "site_id"}),
    like=frozenset({"type"}),
    compare=frozenset({"id", "date_created", "date_updated", "date_start"}),
    sort=frozenset({"id", "type", "step", "site_id", "date_created", "date_updated"}),
)
PACKAGE_SPEC = ListSpec(
    fields={"name": "rank", "provider": "str"},
    equal=frozenset({"name", "provider"}),
    like=frozenset({"name"}),
    compare=frozenset({"name"}),
    sort=frozenset({"name", "provider"}),
    rank=catalog.package_rank,
)

"""What the Gandi client sends and returns: request options, and frozen dataclasses built
from XML-RPC structs.

The parsers tolerate unknown fields (ignored) and missing optional ones (None or a default),
since the contract marks many fields as the simulator's choice. A missing required field is
a `ReplyShapeError`, which the client turns into a clear error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

FINAL_STEPS = frozenset({"DONE", "ERROR", "SUPPORT", "CANCEL"})
RUNNING_STEPS = frozenset({"BILL", "WAIT", "RUN"})
KNOWN_STEPS = RUNNING_STEPS | FINAL_STEPS
OWNERSHIP_TTL = 10800  # seconds; the TTL Gandi asks for on ownership TXT records
MAX_PAGE = 500  # Gandi's items_per_page ceiling


class ReplyShapeError(ValueError):
    """A struct from Gandi lacks a required field or has one of the wrong type."""


@dataclass(frozen=True)
class TxtRecord:
    name: str
    value: str
    ttl: int = OWNERSHIP_TTL

    @property
    def zone_line(self) -> str:
        """The record as a zone-file line, e.g. `www.example.com. 10800 IN TXT "vhost=..."`."""
        return f'{self.name.rstrip(".")}. {self.ttl} IN TXT "{self.value}"'


@dataclass(frozen=True)
class SiteSummary:
    id: int
    name: str
    provider: str
    package: str
    state: str
    vhost: str | None
    date_created: datetime | None
    date_end: datetime | None


@dataclass(frozen=True)
class SiteInfo:
    id: int
    name: str
    provider: str
    package: str
    state: str
    vhosts: list[str]
    parking_vhost: str | None
    date_created: datetime | None
    date_updated: datetime | None
    date_end: datetime | None


@dataclass(frozen=True)
class OperationInfo:
    id: int
    type: str
    step: str
    date_created: datetime | None
    date_start: datetime | None
    date_updated: datetime | None
    eta: int
    last_error: str | None
    site_id: int | None
    params: dict = field(default_factory=dict)

    @property
    def is_final(self) -> bool:
        return self.step in FINAL_STEPS

    @property
    def is_known_step(self) -> bool:
        """False for a step the contract does not list: treat it as needing attention."""
        return self.step in KNOWN_STEPS


@dataclass(frozen=True)
class Problem:
    field: str
    field_type: str | None
    attr: list | None
    reason: str
    error: str | None = None

    @property
    def txt_record(self) -> TxtRecord | None:
        """The TXT record to publish when this is the domain-ownership problem, else None."""
        if not self.attr or len(self.attr) < 2:
            return None
        name, value = self.attr[0], self.attr[1]
        if not (isinstance(name, str) and isinstance(value, str)):
            return None
        if "TXT" not in self.reason and not value.startswith("vhost="):
            return None
        return TxtRecord(name=name, value=value, ttl=OWNERSHIP_TTL)


@dataclass(frozen=True)
class Package:
    name: str
    provider: str


@dataclass(frozen=True)
class Price:
    description: str
    action: str
    price: float
    currency: str
    duration_unit: str
    min_duration: int
    max_duration: int


# --- parsing -------------------------------------------------------------------------------

_DATE_FORMATS = ("%Y%m%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def as_utc(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime from what XML-RPC gave (naive datetimes are UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    text = str(value)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ReplyShapeError(f"not a date: {text[:40]!r}")


def _struct(value: Any, what: str) -> dict:
    if not isinstance(value, dict):
        raise ReplyShapeError(f"{what}: expected a struct, got {type(value).__name__}")
    return value


def _required(data: dict, name: str, what: str) -> Any:
    if data.get(name) is None:
        raise ReplyShapeError(f"{what}: field {name!r} is missing")
    return data[name]


def _int(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ReplyShapeError(f"{what}: {value!r} is not an integer") from exc


def _optional_int(value: Any, what: str) -> int | None:
    return None if value in (None, "") else _int(value, what)


def _optional_str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def parse_site_summary(value: Any) -> SiteSummary:
    data = _struct(value, "site list item")
    return SiteSummary(
        id=_int(_required(data, "id", "site"), "site id"),
        name=str(data.get("name", "")),
        provider=str(data.get("provider", "")),
        package=str(data.get("package", "")),
        state=str(data.get("state", "")),
        vhost=_optional_str(data.get("vhost")),
        date_created=as_utc(data.get("date_created")),
        date_end=as_utc(data.get("date_end")),
    )


def parse_site_info(value: Any) -> SiteInfo:
    data = _struct(value, "site")
    vhosts = data.get("vhosts") or []
    if not isinstance(vhosts, list):
        raise ReplyShapeError("site: vhosts is not an array")
    return SiteInfo(
        id=_int(_required(data, "id", "site"), "site id"),
        name=str(data.get("name", "")),
        provider=str(data.get("provider", "")),
        package=str(data.get("package", "")),
        state=str(data.get("state", "")),
        vhosts=[str(v) for v in vhosts],
        parking_vhost=_optional_str(data.get("parking_vhost")),
        date_created=as_utc(data.get("date_created")),
        date_updated=as_utc(data.get("date_updated")),
        date_end=as_utc(data.get("date_end")),
    )


def parse_operation(value: Any) -> OperationInfo:
    data = _struct(value, "operation")
    params = data.get("params")
    return OperationInfo(
        id=_int(_required(data, "id", "operation"), "operation id"),
        type=str(data.get("type", "")),
        step=str(_required(data, "step", "operation")),
        date_created=as_utc(data.get("date_created")),
        date_start=as_utc(data.get("date_start")),
        date_updated=as_utc(data.get("date_updated")),
        eta=_optional_int(data.get("eta"), "operation eta") or 0,
        last_error=_optional_str(data.get("last_error")),
        site_id=_optional_int(data.get("site_id"), "operation site_id"),
        params=dict(params) if isinstance(params, dict) else {},
    )


def parse_problem(value: Any) -> Problem:
    data = _struct(value, "dry-run problem")
    attr = data.get("attr")
    return Problem(
        field=str(data.get("field", "")),
        field_type=_optional_str(data.get("field_type")),
        attr=list(attr) if isinstance(attr, list | tuple) else None,
        reason=str(data.get("reason", "")),
        error=_optional_str(data.get("error")),
    )


def parse_package(value: Any) -> Package:
    data = _struct(value, "package")
    return Package(
        name=str(_required(data, "name", "package")), provider=str(data.get("provider", ""))
    )


def parse_prices(value: Any) -> list[Price]:
    """One Price per unit price of a catalog item (an item may list several durations)."""
    data = _struct(value, "catalog item")
    product = data.get("product") if isinstance(data.get("product"), dict) else {}
    action = data.get("action") if isinstance(data.get("action"), dict) else {}
    unit_prices = data.get("unit_price") or []
    if not isinstance(unit_prices, list):
        raise ReplyShapeError("catalog item: unit_price is not an array")
    prices = []
    for unit in unit_prices:
        unit = _struct(unit, "unit price")
        try:
            amount = float(_required(unit, "price", "unit price"))
        except (TypeError, ValueError) as exc:
            raise ReplyShapeError("unit price: price is not a number") from exc
        prices.append(
            Price(
                description=str(product.get("description", "")),
                action=str(action.get("name", "")),
                price=amount,
                currency=str(unit.get("currency", "")),
                duration_unit=str(unit.get("duration_unit", "")),
                min_duration=_optional_int(unit.get("min_duration"), "min_duration") or 0,
                max_duration=_optional_int(unit.get("max_duration"), "max_duration") or 0,
            )
        )
    return prices


def list_of(value: Any, what: str) -> list:
    if not isinstance(value, list):
        raise ReplyShapeError(f"{what}: expected an array, got {type(value).__name__}")
    return value


# --- request building and small reply parsers ---


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def filter_value(value: Any) -> Any:
    """Dates in filters travel as 'YYYY-MM-DD HH:MM:SS' in UTC (contract §3)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, tuple | set | frozenset):
        return [filter_value(v) for v in value]
    return value


def list_options(
    filters: dict | None,
    *,
    page: int | None = None,
    per_page: int | None = None,
    sort_by: str | None = None,
) -> dict[str, Any]:
    opts = {str(k): filter_value(v) for k, v in (filters or {}).items()}
    if per_page is not None:
        if not 1 <= per_page <= MAX_PAGE:
            raise ValueError(f"per_page must be between 1 and {MAX_PAGE}")
        opts["items_per_page"] = per_page
    if page is not None:
        if page < 0:
            raise ValueError("page must be 0 or more")
        opts["page"] = page
    if sort_by:
        opts["sort_by"] = sort_by
    return opts


def vhost_list(vhosts: Any) -> list[str]:
    # A lone string would otherwise become a list of one-letter "vhosts".
    if isinstance(vhosts, str) or not all(isinstance(v, str) for v in vhosts):
        raise TypeError("vhosts must be a list of host names")
    return list(vhosts)


def create_params(
    name: str, vhosts: list[str], provider: str, package: str, duration: str
) -> dict[str, Any]:
    vhosts = vhost_list(vhosts)
    return {
        "name": name,
        "vhosts": list(vhosts),
        "provider": provider,
        "package": package,
        "duration": duration,
    }


def catalog_options(
    provider: str, package: str | None, action: str | None, duration: int | None
) -> dict[str, Any]:
    """catalog.list options (contract §5); without a package, every site product."""
    product: dict[str, Any] = {"type": "site"}
    if package:
        product["description"] = f"{provider}_{package}"
    opts: dict[str, Any] = {"product": product}
    if action:
        opts["action"] = {"name": action}
        if duration is not None:
            opts["action"]["duration"] = int(duration)
    return opts


def update_params(vhosts: list[str] | None, package: str | None) -> dict[str, Any]:
    if vhosts is None and package is None:
        raise ValueError("site_update needs vhosts, package or both")
    params: dict[str, Any] = {}
    if vhosts is not None:
        params["vhosts"] = vhost_list(vhosts)
    if package is not None:
        params["package"] = package
    return params


def parse_struct(value: Any) -> dict:
    if not isinstance(value, dict):
        raise ReplyShapeError(f"expected a struct, got {type(value).__name__}")
    return value


def parse_edit_url(value: Any) -> str:
    url = parse_struct(value).get("edit_url")
    if not isinstance(url, str) or not url:
        raise ReplyShapeError("site.edit: no edit_url in the reply")
    # The portal redirects people to this link: only a web address will do (no javascript:).
    if not url.lower().startswith(("https://", "http://")):
        raise ReplyShapeError("site.edit: the edit_url is not an http(s) address")
    return url


def parse_each(parse: Any, what: str) -> Any:
    return lambda value: [parse(item) for item in list_of(value, what)]

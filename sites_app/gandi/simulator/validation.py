"""Checks on site parameters. Each check yields a Problem: the dry run returns them all as
structs (§6), a real call raises the first one's fault."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xmlrpc.client import Fault

from . import catalog, faults

MAX_NAME = 64
MAX_VHOSTS = 20
MAX_FQDN = 253
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
TXT_REASON = "You must put a TXT value in your zone"


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str
    fault: Callable[[], Fault]
    attr: list | None = None
    field_type: str | None = None
    error: str | None = None

    def as_struct(self) -> dict[str, Any]:
        struct: dict[str, Any] = {
            "field": self.field,
            "field_type": self.field_type,
            "attr": self.attr,
            "reason": self.reason,
        }
        if self.error:
            struct["error"] = self.error
        return struct


def require_struct(params: Any, allowed: set[str], what: str) -> dict:
    if not isinstance(params, dict):
        raise faults.bad_parameter(f"{what} parameters must be a struct")
    unknown = sorted(str(k) for k in params if k not in allowed)
    if unknown:
        raise faults.bad_parameter(f"Unknown {what} parameter(s): {', '.join(unknown)}")
    dry_run = params.get("--dry-run", False)
    if not isinstance(dry_run, bool):
        raise faults.bad_parameter("--dry-run must be a boolean")
    return params


def require_string(params: dict, key: str, *, max_length: int = 1024) -> str | None:
    value = params.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise faults.bad_parameter(f"{key} must be a string")
    if len(value) > max_length:
        raise faults.bad_parameter(f"{key} is too long")
    return value


def require_vhost_list(params: dict) -> list[str] | None:
    value = params.get("vhosts")
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise faults.bad_parameter("vhosts must be an array of strings")
    if len(value) > 1000 or any(len(v) > 1024 for v in value):
        raise faults.bad_parameter("vhosts is too large")
    return [normalise_vhost(v) for v in value]


def normalise_vhost(value: str) -> str:
    return value.strip().lower().rstrip(".")


def name_problems(name: str) -> list[Problem]:
    stripped = name.strip()
    if not stripped or len(name) > MAX_NAME or not name.isprintable():
        reason = f"The name must be 1 to {MAX_NAME} printable characters"
        return [
            Problem(
                "name",
                reason,
                lambda: faults.bad_site_name(reason),
                field_type="string",
                error="!EC_STRMATCH",
            )
        ]
    return []


def is_fqdn(vhost: str) -> bool:
    labels = vhost.split(".")
    return (
        0 < len(vhost) <= MAX_FQDN
        and len(labels) >= 2
        and all(_LABEL.match(label) for label in labels)
        and labels[-1].isalpha()
    )


def offer_problems(provider: str, package: str) -> list[Problem]:
    if provider != catalog.PROVIDER:
        reason = f"Unknown provider {provider!r}"
        return [
            Problem(
                "provider",
                reason,
                lambda: faults.bad_package(reason),
                field_type="string",
                error="!EC_ENUMIN",
            )
        ]
    if package not in catalog.PACKAGES:
        reason = f"Unknown package {package!r}"
        return [
            Problem(
                "package",
                reason,
                lambda: faults.bad_package(reason),
                field_type="string",
                error="!EC_ENUMIN",
            )
        ]
    return []


def duration_problems(duration: str) -> list[Problem]:
    if catalog.parse_duration(duration) is None:
        reason = (
            f"The duration must be {catalog.MIN_MONTHS}m to {catalog.MAX_MONTHS}m "
            f"or 1y to {catalog.MAX_MONTHS // 12}y"
        )
        return [
            Problem(
                "duration",
                reason,
                lambda: faults.bad_duration(reason),
                field_type="string",
                error="!EC_STRMATCH",
            )
        ]
    return []


def vhost_shape_problems(vhosts: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    if not vhosts:
        reason = "At least one vhost is required"
        problems.append(
            Problem("vhosts", reason, lambda: faults.bad_vhost_list(reason), field_type="array")
        )
    if len(vhosts) > MAX_VHOSTS:
        reason = f"A site has at most {MAX_VHOSTS} vhosts"
        problems.append(
            Problem("vhosts", reason, lambda: faults.bad_vhost_list(reason), field_type="array")
        )
    seen: set[str] = set()
    for vhost in vhosts:
        if vhost in seen:
            reason = f"The vhost {vhost} is listed twice"
            problems.append(
                Problem("vhosts", reason, lambda r=reason: faults.bad_vhost_list(r), attr=[vhost])
            )
        seen.add(vhost)
        if not is_fqdn(vhost) or vhost == catalog.PARKING_DOMAIN:
            reason = f"{vhost!r} is not a valid host name"
            problems.append(
                Problem(
                    "vhosts",
                    reason,
                    lambda r=reason: faults.bad_vhost(r),
                    attr=[vhost],
                    field_type="fqdn",
                    error="!EC_FQDN",
                )
            )
    return problems


def require_id(value: Any, what: str) -> int:
    """Ids arrive as int or numeric string (the seed sends both)."""
    if isinstance(value, bool):
        raise faults.bad_parameter(f"{what} must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value) < 20:
        return int(value)
    raise faults.bad_parameter(f"{what} must be an integer")


def catalog_query(opts: Any, currency: Any, grid: Any) -> dict | None:
    """catalog.list's arguments as catalog_items() keywords; None for non-site products."""
    opts = require_struct(opts, {"product", "action"}, "catalog")
    product = opts.get("product")
    if not isinstance(product, dict) or not isinstance(product.get("type"), str):
        raise faults.bad_parameter("catalog.list needs opts['product'] = {'type': 'site'}")
    if set(product) - {"type", "description"}:
        raise faults.bad_parameter("product accepts only 'type' and 'description'")
    description = product.get("description")
    if description is not None and not isinstance(description, str):
        raise faults.bad_parameter("product description must be a string")
    action = opts.get("action") or {}
    if not isinstance(action, dict) or set(action) - {"name", "duration"}:
        raise faults.bad_parameter("action accepts only 'name' and 'duration'")
    action_name = action.get("name")
    if action_name is not None and not isinstance(action_name, str):
        raise faults.bad_parameter("action name must be a string")
    duration = action.get("duration")
    if duration is not None:
        duration = require_id(duration, "action duration")
    if currency not in catalog.CURRENCY_RATES:
        raise faults.bad_parameter(
            f"Unknown currency; use one of {', '.join(catalog.CURRENCY_RATES)}"
        )
    if grid not in catalog.GRIDS:
        raise faults.bad_parameter(f"Unknown grid; use one of {', '.join(catalog.GRIDS)}")
    if product["type"] != "site":
        return None
    return {
        "package_filter": description,
        "action_filter": action_name,
        "duration": duration,
        "currency": currency,
        "grid": grid,
    }

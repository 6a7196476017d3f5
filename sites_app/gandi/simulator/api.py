"""The XML-RPC methods of the contract, one Python method each, over the Store.

``GandiAPI.call(method, params)`` is the whole surface: it checks the key (the first
positional argument of every method), the argument count, applies finished operations, and
runs the method under the store's lock. Faults are raised as ``xmlrpc.client.Fault``.
"""

import hashlib
import hmac
import inspect
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from . import catalog, faults
from .injection import FaultSettings
from .query import OPERATION_SPEC, PACKAGE_SPEC, SITE_SPEC, count, select
from .state import (
    FINAL_STEPS,
    Store,
    apply_outcome,
    operation_struct,
    settle,
    step_of,
    to_datetime,
)
from .validation import (
    MAX_VHOSTS,
    TXT_REASON,
    Problem,
    catalog_query,
    duration_problems,
    is_fqdn,
    name_problems,
    normalise_vhost,
    offer_problems,
    require_id,
    require_string,
    require_struct,
    require_vhost_list,
    vhost_shape_problems,
)

API_VERSION = "3.3.42"
EDIT_LINK_SECONDS = 300
_KEY = re.compile(r"^[A-Za-z0-9]{24}$")
# Fixed, public: the value only has to be stable per account and vhost, not secret.
_OWNERSHIP_SALT = b"gandi-sites-simulator/vhost-ownership"


def ownership_value(api_key: str, vhost: str) -> str:
    """The TXT value that proves this account owns this vhost: 32 hex digits, stable."""
    digest = hmac.new(_OWNERSHIP_SALT, f"{api_key}|{vhost}".encode(), hashlib.sha256)
    return "vhost=" + digest.hexdigest()[:32]


def _parking_slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return slug or "site"


class GandiAPI:
    def __init__(
        self,
        store: Store,
        fault_settings: FaultSettings,
        *,
        txt_lookup: Callable[[str], list[str]],
        edit_url: Callable[[str], str],
        step_seconds: float,
        clock: Callable[[], float] = time.time,
        omit_operation_site_id: bool = False,
    ) -> None:
        self.store = store
        # Like a Gandi whose operation structs carry no site_id (the contract allows it).
        self.omit_operation_site_id = omit_operation_site_id
        self.fault_settings = fault_settings
        self.txt_lookup = txt_lookup
        self._txt_answers = threading.local()
        self.edit_url = edit_url
        self.step_seconds = step_seconds
        self.clock = clock
        self.methods: dict[str, Callable[..., Any]] = {
            "version.info": self.version_info,
            "site.count": self.site_count,
            "site.list": self.site_list,
            "site.info": self.site_info,
            "site.create": self.site_create,
            "site.update": self.site_update,
            "site.delete": self.site_delete,
            "site.edit": self.site_edit,
            "site.package.list": self.site_package_list,
            "catalog.list": self.catalog_list,
            "operation.info": self.operation_info,
            "operation.list": self.operation_list,
            "operation.count": self.operation_count,
            "operation.cancel": self.operation_cancel,
        }

    # --- dispatch ---
    def list_methods(self) -> list[str]:
        return sorted([*self.methods, "system.listMethods"])

    def call(self, method: str, params: tuple) -> Any:
        if method == "system.listMethods":
            return self.list_methods()
        func = self.methods.get(method)
        if func is None:
            raise faults.unknown_method(method)
        if not params:
            raise faults.bad_key("The API key is missing: it is the first argument")
        key = params[0]
        if not isinstance(key, str) or not _KEY.match(key):
            raise faults.bad_key()
        account = self.store.accounts.get(key)
        if account is None or account.get("revoked"):
            raise faults.unknown_key()
        try:
            inspect.signature(func).bind(key, *params[1:])
        except TypeError:
            raise faults.bad_parameter(f"Wrong number of arguments for {method}") from None
        # DNS answers are fetched before taking the lock: a slow name server must not stall
        # every other caller. The checks themselves run under the lock, on these answers.
        self._txt_answers.found = self._prefetch_txt(method, params, account["gandi_domains"])
        try:
            with self.store.lock:
                now = self.clock()
                settle(self.store, now)
                return func(key, *params[1:])
        finally:
            self._txt_answers.found = {}

    def _prefetch_txt(
        self, method: str, params: tuple, gandi_domains: list[str]
    ) -> dict[str, list[str]]:
        body = params[-1] if method in {"site.create", "site.update"} else None
        vhosts = body.get("vhosts") if isinstance(body, dict) else None
        if not isinstance(vhosts, list) or len(vhosts) > MAX_VHOSTS:
            return {}
        names = {
            normalise_vhost(v) for v in vhosts if isinstance(v, str) and is_fqdn(normalise_vhost(v))
        }
        return {
            name: self.txt_lookup(name)
            for name in names
            if not name.endswith("." + catalog.PARKING_DOMAIN)
            and not any(name == d or name.endswith("." + d) for d in gandi_domains)
        }

    def _txt_at(self, name: str) -> list[str]:
        found = getattr(self._txt_answers, "found", None) or {}
        return found[name] if name in found else self.txt_lookup(name)

    # --- helpers ---
    def _site_of(self, key: str, site_id: Any) -> dict:
        wanted = require_id(site_id, "site_id")
        site = self.store.sites.get(str(wanted))
        if site is None or site["account"] != key:
            raise faults.site_not_found(wanted)
        return site

    def _site_item(self, site: dict) -> dict:
        return {
            "id": site["id"],
            "name": site["name"],
            "provider": site["provider"],
            "package": site["package"],
            "state": site["state"],
            "vhost": site["vhosts"][0] if site["vhosts"] else None,
            "date_created": to_datetime(site["date_created"]),
            "date_end": to_datetime(site["date_end"]),
        }

    def _ensure_idle(self, site: dict) -> None:
        now = self.clock()
        for op in self.store.operations.values():
            if op["site_id"] == site["id"] and step_of(op, now) not in FINAL_STEPS:
                raise faults.site_busy(site["id"])
        if site["state"] != "active":
            raise faults.site_busy(site["id"])

    def _availability_problems(self, key: str, vhosts: list[str], site_id: int | None) -> list:
        problems: list[Problem] = []
        reserved = self.store.reserved_vhosts()
        account = self.store.accounts[key]
        for vhost in vhosts:
            holder = reserved.get(vhost)
            if holder is not None and holder != site_id:
                problems.append(
                    Problem(
                        "vhosts",
                        f"The vhost {vhost} is already used by another site",
                        lambda v=vhost: faults.vhost_taken(v),
                        attr=[vhost],
                    )
                )
            elif vhost.endswith("." + catalog.PARKING_DOMAIN):
                if vhost.count(".") != catalog.PARKING_DOMAIN.count(".") + 1:
                    reason = f"Parking vhosts read <name>.{catalog.PARKING_DOMAIN}"
                    problems.append(
                        Problem(
                            "vhosts", reason, lambda r=reason: faults.bad_vhost(r), attr=[vhost]
                        )
                    )
            elif any(vhost == d or vhost.endswith("." + d) for d in account["gandi_domains"]):
                continue
            elif holder is None:
                expected = ownership_value(key, vhost)
                if expected not in self._txt_at(vhost):
                    problems.append(
                        Problem(
                            "vhosts",
                            TXT_REASON,
                            lambda v=vhost: faults.ownership_not_proven(v),
                            attr=[vhost, expected],
                        )
                    )
        return problems

    def _charge(self, key: str, price: float) -> None:
        account = self.store.accounts[key]
        if price > account["credit"] + 1e-9:
            raise faults.no_credit(price, account["credit"])
        account["credit"] = round(account["credit"] - price, 2)

    def _new_operation(
        self, key: str, kind: str, site_id: int, params: dict, charge: float
    ) -> dict:
        outcome = self.fault_settings.operation_outcome()
        op = {
            "id": self.store.new_id("next_operation_id"),
            "account": key,
            "type": kind,
            "site_id": site_id,
            "params": params,
            "created": self.clock(),
            "step_seconds": self.step_seconds,
            "outcome": outcome,
            "last_error": "The provider could not complete the operation (simulated failure)"
            if outcome == "ERROR"
            else None,
            "cancelled_at": None,
            "applied": False,
            "charge": charge,
        }
        self.store.operations[str(op["id"])] = op
        return op

    def _operation_items(self, key: str) -> list[dict]:
        now = self.clock()
        return [
            operation_struct(op, now)
            for op in self.store.operations.values()
            if op["account"] == key
        ]

    def _op_struct(self, op: dict, now: float) -> dict:
        return self._shown(operation_struct(op, now))

    def _shown(self, struct: dict) -> dict:
        """An operation struct as the caller sees it (filters still apply to every field)."""
        if self.omit_operation_site_id:
            struct = {k: v for k, v in struct.items() if k != "site_id"}
        return struct

    # --- version, sites ---
    def version_info(self, key: str) -> dict:
        return {"api_version": API_VERSION}

    def site_count(self, key: str, opts: Any = None) -> int:
        return count(self._account_sites(key), opts, SITE_SPEC)

    def site_list(self, key: str, opts: Any = None) -> list[dict]:
        if isinstance(opts, dict) and not any("date" in str(name) for name in opts):
            # The stored sites hold the list fields as is, except dates (epochs): without a
            # date filter, select on them and build only the page's items (fast at 50,000).
            mine = [s for s in self.store.sites.values() if s["account"] == key]
            return [self._site_item(s) for s in select(mine, opts, SITE_SPEC)]
        return select(self._account_sites(key), opts, SITE_SPEC)

    def _account_sites(self, key: str) -> list[dict]:
        return [self._site_item(s) for s in self.store.sites.values() if s["account"] == key]

    def site_info(self, key: str, site_id: Any) -> dict:
        site = self._site_of(key, site_id)
        return {
            "id": site["id"],
            "name": site["name"],
            "provider": site["provider"],
            "package": site["package"],
            "state": site["state"],
            "vhosts": list(site["vhosts"]),
            "parking_vhost": site["parking_vhost"],
            "date_created": to_datetime(site["date_created"]),
            "date_updated": to_datetime(site["date_updated"]),
            "date_end": to_datetime(site["date_end"]),
        }

    def site_create(self, key: str, params: Any) -> Any:
        params = require_struct(
            params, {"name", "provider", "package", "vhosts", "duration", "--dry-run"}, "create"
        )
        name = require_string(params, "name")
        vhosts = require_vhost_list(params)
        if name is None or vhosts is None:
            raise faults.bad_parameter("name and vhosts are required")
        provider = require_string(params, "provider") or catalog.PROVIDER
        package = require_string(params, "package") or "personal"
        duration = require_string(params, "duration") or "1m"
        shape = vhost_shape_problems(vhosts)
        problems = [
            *name_problems(name),
            *offer_problems(provider, package),
            *duration_problems(duration),
            *shape,
        ]
        if not shape:
            problems += self._availability_problems(key, vhosts, None)
        if params.get("--dry-run"):
            return [p.as_struct() for p in problems]
        if problems:
            raise problems[0].fault()
        months = catalog.parse_duration(duration)
        assert months is not None
        price = catalog.create_price(package, months)
        self._charge(key, price)
        now = self.clock()
        reserved = self.store.reserved_vhosts()
        parking = next((v for v in vhosts if v.endswith("." + catalog.PARKING_DOMAIN)), None)
        all_vhosts = list(vhosts)
        if parking is None:
            slug, n = _parking_slug(name), 2
            parking = f"{slug}.{catalog.PARKING_DOMAIN}"
            while parking in reserved:
                parking, n = f"{slug}-{n}.{catalog.PARKING_DOMAIN}", n + 1
            all_vhosts.append(parking)
        site_id = self.store.new_id("next_site_id")
        self.store.sites[str(site_id)] = {
            "id": site_id,
            "account": key,
            "name": name,
            "provider": provider,
            "package": package,
            "state": "being_created",
            "vhosts": all_vhosts,
            "parking_vhost": parking,
            "date_created": now,
            "date_updated": now,
            "date_end": _add_months_epoch(now, months),
        }
        op = self._new_operation(
            key,
            "sitebuilder_create",
            site_id,
            {
                "name": name,
                "provider": provider,
                "package": package,
                "vhosts": vhosts,
                "duration": duration,
            },
            price,
        )
        self.store.save()
        return self._op_struct(op, now)

    def site_update(self, key: str, site_id: Any, params: Any) -> Any:
        site = self._site_of(key, site_id)
        params = require_struct(params, {"vhosts", "package", "--dry-run"}, "update")
        vhosts = require_vhost_list(params)
        package = require_string(params, "package")
        if vhosts is None and package is None:
            raise faults.bad_parameter("Nothing to update: give vhosts and/or package")
        self._ensure_idle(site)
        problems: list[Problem] = []
        if vhosts is not None:
            shape = vhost_shape_problems(vhosts)
            problems += shape
            if site["parking_vhost"] not in vhosts:
                reason = (
                    f"The parking vhost {site['parking_vhost']} must stay: it keeps "
                    "the site attached to the provider so it can be edited"
                )
                problems.append(
                    Problem(
                        "vhosts",
                        reason,
                        lambda: faults.bad_vhost_list(reason),
                        attr=[site["parking_vhost"]],
                    )
                )
            if not shape:
                added = [v for v in vhosts if v not in site["vhosts"]]
                problems += self._availability_problems(key, added, site["id"])
        if package is not None:
            offer = offer_problems(site["provider"], package)
            if not offer and catalog.package_rank(package) <= catalog.package_rank(site["package"]):
                reason = f"A package can only be upgraded: {package} is not above {site['package']}"
                offer.append(Problem("package", reason, lambda: faults.bad_package(reason)))
            problems += offer
        if params.get("--dry-run"):
            return [p.as_struct() for p in problems]
        if problems:
            raise problems[0].fault()
        now = self.clock()
        price = 0.0
        if package is not None:
            price = catalog.upgrade_price(package, to_datetime(now), to_datetime(site["date_end"]))
            self._charge(key, price)
        changes = {k: v for k, v in (("vhosts", vhosts), ("package", package)) if v is not None}
        site.update(state="being_updated", date_updated=now, pending=changes)
        op = self._new_operation(key, "sitebuilder_update", site["id"], dict(changes), price)
        self.store.save()
        return self._op_struct(op, now)

    def site_delete(self, key: str, site_id: Any) -> dict:
        site = self._site_of(key, site_id)
        self._ensure_idle(site)
        now = self.clock()
        site.update(state="being_deleted", date_updated=now)
        op = self._new_operation(key, "sitebuilder_delete", site["id"], {}, 0.0)
        self.store.save()
        return self._op_struct(op, now)

    def site_edit(self, key: str, site_id: Any) -> dict:
        site = self._site_of(key, site_id)
        if site["state"] in {"being_created", "being_deleted"}:
            raise faults.site_busy(site["id"])
        now = self.clock()
        tokens = self.store.data["edit_tokens"]
        for token in [t for t, v in tokens.items() if v["expires"] < now]:
            del tokens[token]
        token = secrets.token_urlsafe(24)
        tokens[token] = {"site_id": site["id"], "expires": now + EDIT_LINK_SECONDS}
        self.store.save()
        return {"edit_url": self.edit_url(token)}

    def use_edit_link(self, token: str) -> str | None:
        """The site's name the first time a live link is opened, else None."""
        with self.store.lock:
            entry = self.store.data["edit_tokens"].pop(token, None)
            if entry is None:
                return None
            self.store.save()
            site = self.store.sites.get(str(entry["site_id"]))
            if entry["expires"] < self.clock() or site is None:
                return None
            return site["name"]

    def site_package_list(self, key: str, opts: Any = None) -> list[dict]:
        items = [{"name": p, "provider": catalog.PROVIDER} for p in catalog.PACKAGES]
        return select(items, opts, PACKAGE_SPEC)

    # --- catalog ---
    def catalog_list(self, key: str, opts: Any, currency: Any = "EUR", grid: Any = "A") -> list:
        query = catalog_query(opts, currency, grid)
        return catalog.catalog_items(**query) if query is not None else []

    # --- operations ---
    def _operation_of(self, key: str, op_id: Any) -> dict:
        wanted = require_id(op_id, "operation id")
        op = self.store.operations.get(str(wanted))
        if op is None or op["account"] != key:
            raise faults.operation_not_found(wanted)
        return op

    def operation_info(self, key: str, op_id: Any) -> dict:
        return self._op_struct(self._operation_of(key, op_id), self.clock())

    def operation_list(self, key: str, opts: Any = None) -> list[dict]:
        return [self._shown(op) for op in select(self._operation_items(key), opts, OPERATION_SPEC)]

    def operation_count(self, key: str, opts: Any = None) -> int:
        return count(self._operation_items(key), opts, OPERATION_SPEC)

    def operation_cancel(self, key: str, op_id: Any) -> bool:
        op = self._operation_of(key, op_id)
        step = step_of(op, self.clock())
        if step not in {"BILL", "WAIT"}:
            raise faults.not_cancellable(op["id"], step)
        op["cancelled_at"] = self.clock()
        apply_outcome(self.store, op, "CANCEL")
        op["applied"] = True
        self.store.save()
        return True


def _add_months_epoch(epoch: float, months: int) -> float:
    start = datetime.fromtimestamp(epoch, UTC)
    return catalog.add_months(start, months).timestamp()

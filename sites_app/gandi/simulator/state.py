"""The simulator's memory: accounts, sites, operations, kept in one JSON file.

Every mutation ends with an atomic write (temporary file + ``os.replace``), so a crash or a
restart loses nothing. Times are stored as UTC epoch seconds. Operation steps are not stored:
they are computed from the creation time and the step duration the operation was created
with, so operations carry on across restarts and their effects (a site becoming active,
disappearing, ...) are applied lazily the first time anyone looks after a step ends.
"""

import json
import logging
import os
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .catalog import PARKING_DOMAIN, PROVIDER

log = logging.getLogger("gandi_simulator")

STEPS = ("BILL", "WAIT", "RUN")
FINAL_STEPS = frozenset({"DONE", "ERROR", "SUPPORT", "CANCEL"})
FORMAT_VERSION = 1


def to_datetime(epoch: float | None) -> datetime | None:
    """Naive UTC datetime to the second: XML-RPC's compact dateTime.iso8601 has no zone."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(int(epoch), UTC).replace(tzinfo=None)


def empty_state() -> dict[str, Any]:
    return {
        "version": FORMAT_VERSION,
        "next_site_id": 1,
        "next_operation_id": 1,
        "accounts": {},
        "sites": {},
        "operations": {},
        "edit_tokens": {},
    }


class Store:
    """The data plus the one lock every reader and writer takes."""

    def __init__(self, path: Path | None) -> None:
        self.path = Path(path) if path else None
        self.lock = threading.RLock()
        self.data = empty_state()
        if self.path and self.path.exists():
            with self.path.open(encoding="utf-8") as handle:
                loaded = json.load(handle)
            if loaded.get("version") != FORMAT_VERSION:
                raise ValueError(f"{self.path}: unknown simulator state format")
            self.data = loaded

    # --- persistence ---
    def save(self) -> None:
        if not self.path:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".sim-state-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                # dumps, not dump: dump streams through the slow pure-Python encoder.
                handle.write(json.dumps(self.data, separators=(",", ":")))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # --- accounts ---
    @property
    def accounts(self) -> dict[str, dict]:
        return self.data["accounts"]

    def add_account(self, key: str, *, credit: float | None, gandi_domains: list[str]) -> None:
        with self.lock:
            account = self.accounts.setdefault(
                key, {"credit": 0.0, "gandi_domains": [], "revoked": False}
            )
            if credit is not None:
                account["credit"] = round(float(credit), 2)
            for domain in gandi_domains:
                domain = domain.strip().lower().rstrip(".")
                if domain and domain not in account["gandi_domains"]:
                    account["gandi_domains"].append(domain)
            self.save()

    def seed_sites(self, key: str, count: int, *, prefix: str, package: str) -> list[int]:
        with self.lock:
            if key not in self.accounts:
                raise KeyError("unknown account")
            now = time.time()
            ids = []
            for _ in range(count):
                site_id = self.new_id("next_site_id")
                parking = f"{prefix.lower()}-{site_id}.{PARKING_DOMAIN}"
                self.sites[str(site_id)] = {
                    "id": site_id,
                    "account": key,
                    "name": f"{prefix} {site_id}",
                    "provider": PROVIDER,
                    "package": package,
                    "state": "active",
                    "vhosts": [parking],
                    "parking_vhost": parking,
                    "date_created": now,
                    "date_updated": now,
                    "date_end": now + 365 * 86400,
                }
                ids.append(site_id)
            self.save()
            return ids

    # --- sites and operations ---
    @property
    def sites(self) -> dict[str, dict]:
        return self.data["sites"]

    @property
    def operations(self) -> dict[str, dict]:
        return self.data["operations"]

    def new_id(self, counter: str) -> int:
        value = self.data[counter]
        self.data[counter] = value + 1
        return value

    def reserved_vhosts(self) -> dict[str, int]:
        """Every vhost held by a site of any account, including changes still running."""
        held: dict[str, int] = {}
        for site in self.sites.values():
            for vhost in site["vhosts"] + (site.get("pending") or {}).get("vhosts", []):
                held.setdefault(vhost, site["id"])
        return held


# --- the operation clock ---
def step_of(op: dict, now: float) -> str:
    if op.get("cancelled_at") is not None:
        return "CANCEL"
    step_seconds = op["step_seconds"]
    index = int((now - op["created"]) / step_seconds) if step_seconds > 0 else len(STEPS)
    return STEPS[index] if index < len(STEPS) else op["outcome"]


def final_time(op: dict) -> float:
    return op["created"] + len(STEPS) * op["step_seconds"]


def operation_struct(op: dict, now: float) -> dict[str, Any]:
    step = step_of(op, now)
    created, step_seconds = op["created"], op["step_seconds"]
    if step == "CANCEL":
        updated = op["cancelled_at"]
    elif step in FINAL_STEPS:
        updated = final_time(op)
    else:
        updated = created + STEPS.index(step) * step_seconds
    started = created + 2 * step_seconds
    struct = {
        "id": op["id"],
        "type": op["type"],
        "step": step,
        "date_created": to_datetime(created),
        "date_start": to_datetime(started) if step != "CANCEL" and now >= started else None,
        "date_updated": to_datetime(updated),
        "eta": 0 if step in FINAL_STEPS else max(0, int(final_time(op) - now + 0.999)),
        "last_error": op["last_error"] if step == "ERROR" else None,
        "site_id": op["site_id"],
        "params": op["params"],
    }
    return struct


def apply_outcome(store: Store, op: dict, step: str) -> None:
    """What an operation's final step does to its site and to the account's credit."""
    site = store.sites.get(str(op["site_id"]))
    account = store.accounts.get(op["account"])
    when = op["cancelled_at"] if step == "CANCEL" else final_time(op)
    if step in {"ERROR", "CANCEL"} and account is not None and op["charge"]:
        account["credit"] = round(account["credit"] + op["charge"], 2)
    if site is None or step == "SUPPORT":
        # SUPPORT leaves the site as it was: stuck in its transitional state.
        return
    kind = op["type"]
    if kind == "sitebuilder_create":
        if step == "DONE":
            site.update(state="active", date_updated=when)
        else:
            _remove_site(store, site)
    elif kind == "sitebuilder_update":
        pending = site.pop("pending", None) or {}
        if step == "DONE":
            site.update(pending)
        site.update(state="active", date_updated=when)
    elif kind == "sitebuilder_delete":
        if step == "DONE":
            _remove_site(store, site)
        else:
            site.update(state="active", date_updated=when)


def _remove_site(store: Store, site: dict) -> None:
    del store.sites[str(site["id"])]
    tokens = store.data["edit_tokens"]
    for token in [t for t, v in tokens.items() if v["site_id"] == site["id"]]:
        del tokens[token]


def settle(store: Store, now: float) -> None:
    """Apply the effects of every operation that has reached a final step since last time."""
    with store.lock:
        changed = False
        for op in store.operations.values():
            if op["applied"]:
                continue
            step = step_of(op, now)
            if step in FINAL_STEPS:
                apply_outcome(store, op, step)
                op["applied"] = True
                changed = True
                log.info("operation %s (%s) ended in %s", op["id"], op["type"], step)
        if changed:
            store.save()

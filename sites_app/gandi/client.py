"""The Gandi Site API client (XML-RPC, API v3): with its `transport.py`, the only code of the
portal that imports xmlrpc.

Contract: /work/shared/gandi-site-api.md. What this module promises its callers:
- every call has a socket timeout, and every reply is parsed with defusedxml;
- faults become the typed errors of `errors.py`; reads are retried on transient failures with
  exponential backoff and full jitter; mutations are never retried, and a mutation whose reply
  was lost raises `AmbiguousError` (look with `find_operations`/`find_site_by_name` first);
- the API key is never logged, never in a repr, an exception, its args or its traceback
  (the request body that carries it lives only in a frame that has returned before any error
  is raised, and errors are raised outside `except` blocks so they chain to nothing).

A client holds one HTTP connection: use one per thread (Celery's prefork workers do).
"""

from __future__ import annotations

import logging
import random
import time
import urllib.parse
import xmlrpc.client
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.views.decorators.debug import sensitive_variables

from . import errors, transport
from .errors import BadReplyError, Failure, GandiError, TransientError
from .lookups import Lookups
from .ratelimit import RateLimiter, background_limit, key_id, portal_limit
from .records import (
    FINAL_STEPS,
    KNOWN_STEPS,
    OperationInfo,
    Package,
    Price,
    Problem,
    ReplyShapeError,
    SiteInfo,
    SiteSummary,
    TxtRecord,
    as_int,
    catalog_options,
    create_params,
    list_options,
    parse_each,
    parse_edit_url,
    parse_operation,
    parse_package,
    parse_prices,
    parse_problem,
    parse_site_info,
    parse_site_summary,
    parse_struct,
    update_params,
)

__all__ = [
    "FINAL_STEPS",
    "KNOWN_STEPS",
    "GandiClient",
    "OperationInfo",
    "Package",
    "Price",
    "Problem",
    "SiteInfo",
    "SiteSummary",
    "TxtRecord",
    "client_for",
]

logger = logging.getLogger(__name__)

MUTATIONS = frozenset({"site.create", "site.update", "site.delete", "operation.cancel"})
DEFAULT_PROVIDER = "basekit_whitelabel"


# --- the client ----------------------------------------------------------------------------


# `_exchange`'s answer when the task's soft time limit interrupted a read.
_INTERRUPTED = object()


class SendFenced(Exception):
    """The caller's last check before a mutation said no (its claim is gone): nothing was sent."""


Fence = Callable[[], bool]


class GandiClient(Lookups):
    """Typed access to one Gandi account (one API key) at one endpoint; the calls made of
    several requests (paging, batching, recovery look-ups) come from `lookups.Lookups`."""

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        timeout: float = 20.0,
        rate_limiter: RateLimiter | None = None,
        read_retries: int = 3,
        backoff_base: float = 0.5,
        backoff_cap: float = 10.0,
        rate_limit_pause: float = 2.0,
        ca_bundle: str | None = None,
    ) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self.url = url
        self._api_key = api_key
        self.key_hint = api_key[-4:]
        self.key_id = key_id(api_key)
        self.timeout = timeout
        self.rate_limiter = rate_limiter
        self.read_retries = read_retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.rate_limit_pause = rate_limit_pause
        self._host = parts.netloc
        self._handler = parts.path or "/"
        if parts.query:
            self._handler += "?" + parts.query
        # Called after every successful call (the account's "last successful check").
        self.on_success: Callable[[], None] | None = None
        self._transport: transport.TransportMixin
        if parts.scheme == "https":
            self._transport = transport.HTTPSTransport(timeout, ca_bundle=ca_bundle)
        else:
            self._transport = transport.HTTPTransport(timeout)

    def __repr__(self) -> str:
        return f"<GandiClient {self.url} key=…{self.key_hint}>"

    def close(self) -> None:
        self._transport.close()

    # --- the one way out ---

    def _call(
        self, method: str, *args: Any, dry_run: bool = False, fence: Fence | None = None
    ) -> Any:
        """Call `method(key, *args)`; retry reads on transient failures; raise typed errors.

        `fence` (mutations): asked right before the request goes out, after the wait for a
        rate-limit slot; when it answers False nothing is sent and `SendFenced` is raised."""
        mutation = method in MUTATIONS and not dry_run  # a dry run acts on nothing: a read
        attempts = 1 if mutation else 1 + max(0, self.read_retries)
        for attempt in range(attempts):
            if self.rate_limiter is not None:
                self.rate_limiter.acquire()
            if mutation and fence is not None and not fence():
                raise SendFenced(method)
            started = time.monotonic()
            outcome = self._exchange(method, args, fresh=mutation)
            if outcome is _INTERRUPTED:
                # Raised afresh out here: the task's own handler runs, and the traceback
                # holds no frame that saw the request body.
                raise SoftTimeLimitExceeded()
            elapsed_ms = (time.monotonic() - started) * 1000
            if not isinstance(outcome, Failure):
                logger.debug("gandi %s ok in %.0f ms (key …%s)", method, elapsed_ms, self.key_hint)
                if self.on_success is not None:
                    self.on_success()
                return outcome
            error = errors.error_for_failure(
                **asdict(outcome),
                method=method,
                url=self.url,
                mutation=mutation,
                timeout=self.timeout,
            )
            # A busy site stays busy for the length of an operation: "later", not "in a second".
            retry = isinstance(error, TransientError) and not isinstance(
                error, errors.SiteBusyError
            )
            if not retry or attempt == attempts - 1:
                # A refused request is routine (bad input, unknown site); giving up is not.
                level = (
                    logging.INFO if isinstance(error, errors.PermanentError) else logging.WARNING
                )
                logger.log(
                    level,
                    "gandi %s failed after %d attempt(s) (key …%s): %s",
                    method,
                    attempt + 1,
                    self.key_hint,
                    error.support_text(),
                )
                raise error
            pause = self._backoff(attempt, error)
            logger.info(
                "gandi %s: %s; retry %d/%d in %.2fs (key …%s)",
                method,
                outcome.kind,
                attempt + 1,
                attempts - 1,
                pause,
                self.key_hint,
            )
            time.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int, error: GandiError) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt)]. After a rate-limit fault
        first wait out a window (the limiter's period, else `rate_limit_pause`): a quick retry
        would only be refused again."""
        pause = random.uniform(0, min(self.backoff_cap, self.backoff_base * 2**attempt))
        if isinstance(error, errors.RateLimitedError):
            pause += self.rate_limiter.period if self.rate_limiter else self.rate_limit_pause
        return pause

    def _exchange(self, method: str, args: tuple, *, fresh: bool) -> Any:
        """One request and its reply. Returns the result or a `Failure`, never raises for
        a Gandi or network problem, so nothing that saw the request body outlives this frame."""
        try:
            body = xmlrpc.client.dumps(
                (self._api_key, *args), method, allow_none=True, encoding="utf-8"
            ).encode("utf-8", "xmlcharrefreplace")
        except (TypeError, OverflowError, ValueError) as exc:
            return Failure("encode", f"{type(exc).__name__}: {exc}")
        try:
            reply = self._transport.exchange(self._host, self._handler, body, fresh=fresh)
        except xmlrpc.client.Fault as fault:
            code, text = as_int(fault.faultCode), self._scrub(str(fault.faultString))
            return Failure("fault", "fault", fault_code=code, fault_string=text)
        except xmlrpc.client.ProtocolError as exc:
            return Failure("http", f"HTTP {exc.errcode} {exc.errmsg}", status=exc.errcode)
        except transport.CertificateRefused as exc:
            return Failure("tls", self._scrub(str(exc)))
        except transport.NotSent as exc:
            return Failure("unreachable", self._scrub(str(exc)))
        except transport.BadReply as exc:
            return Failure("bad_reply", self._scrub(str(exc)))
        except TimeoutError:
            self._transport.close()
            return Failure("timeout", f"no reply within {self.timeout:g}s")
        except SoftTimeLimitExceeded:
            # The task's soft time limit fired mid-call. A read is given up: the task's
            # handler decides. A mutation may have reached Gandi: ambiguous like any lost
            # reply, so its row goes to recovery at once rather than when its lease lapses.
            self._transport.close()
            if fresh:
                return Failure("lost", "the task's time limit interrupted the call")
            return _INTERRUPTED
        except Exception as exc:
            # OSError, http.client's errors, and whatever else the network stack raises: caught
            # here, at the boundary, so no traceback escapes with a frame holding the request
            # body (and so the key). After a mutation it is ambiguous, like any lost reply.
            self._transport.close()
            return Failure("lost", self._scrub(f"{type(exc).__name__}: {exc}"))
        finally:
            del body
        if isinstance(reply, tuple) and len(reply) == 1:
            return reply[0]
        return reply

    def _scrub(self, text: str) -> str:
        return text.replace(self._api_key, f"…{self.key_hint}") if self._api_key else text

    def _parse(self, method: str, parse: Any, value: Any, *, mutation: bool = False) -> Any:
        try:
            return parse(value)
        except ReplyShapeError as exc:
            # A mutation that got an odd answer may still have acted: look before re-sending.
            kind = errors.AmbiguousError if mutation else BadReplyError
            error = kind(method=method, url=self.url, detail=str(exc))
        raise error

    # --- version and sites ---

    def version_info(self) -> dict:
        return self._parse("version.info", parse_struct, self._call("version.info"))

    def site_count(self, filters: dict | None = None) -> int:
        return self._parse("site.count", int, self._call("site.count", list_options(filters)))

    def site_list(
        self,
        filters: dict | None = None,
        *,
        page: int = 0,
        per_page: int = 100,
        sort_by: str | None = None,
    ) -> list[SiteSummary]:
        opts = list_options(filters, page=page, per_page=per_page, sort_by=sort_by)
        items = self._call("site.list", opts)
        return self._parse("site.list", parse_each(parse_site_summary, "site.list"), items)

    def site_info(self, site_id: int) -> SiteInfo:
        return self._parse("site.info", parse_site_info, self._call("site.info", int(site_id)))

    def site_create(
        self,
        *,
        name: str,
        vhosts: list[str],
        provider: str = DEFAULT_PROVIDER,
        package: str = "personal",
        duration: str = "1m",
        fence: Fence | None = None,
    ) -> OperationInfo:
        params = create_params(name, vhosts, provider, package, duration)
        op = self._call("site.create", params, fence=fence)
        return self._parse("site.create", parse_operation, op, mutation=True)

    def site_create_dry_run(
        self,
        *,
        name: str,
        vhosts: list[str],
        provider: str = DEFAULT_PROVIDER,
        package: str = "personal",
        duration: str = "1m",
    ) -> list[Problem]:
        params = create_params(name, vhosts, provider, package, duration)
        params["--dry-run"] = True
        problems = self._call("site.create", params, dry_run=True)
        return self._parse("site.create", parse_each(parse_problem, "dry run"), problems)

    def site_update(
        self,
        site_id: int,
        *,
        vhosts: list[str] | None = None,
        package: str | None = None,
        fence: Fence | None = None,
    ) -> OperationInfo:
        params = update_params(vhosts, package)
        op = self._call("site.update", int(site_id), params, fence=fence)
        return self._parse("site.update", parse_operation, op, mutation=True)

    def site_update_dry_run(
        self, site_id: int, *, vhosts: list[str] | None = None, package: str | None = None
    ) -> list[Problem]:
        params = update_params(vhosts, package)
        params["--dry-run"] = True
        problems = self._call("site.update", int(site_id), params, dry_run=True)
        return self._parse("site.update", parse_each(parse_problem, "dry run"), problems)

    def site_delete(self, site_id: int, *, fence: Fence | None = None) -> OperationInfo:
        op = self._call("site.delete", int(site_id), fence=fence)
        return self._parse("site.delete", parse_operation, op, mutation=True)

    def site_edit_url(self, site_id: int) -> str:
        reply = self._call("site.edit", int(site_id))
        return self._parse("site.edit", parse_edit_url, reply)

    def package_list(
        self, provider: str | None = None, *, above: str | None = None
    ) -> list[Package]:
        filters = {k: v for k, v in (("provider", provider), (">name", above)) if v}
        items = self._call("site.package.list", *([filters] if filters else []))
        return self._parse("site.package.list", parse_each(parse_package, "packages"), items)

    def catalog_prices(
        self,
        *,
        provider: str,
        package: str | None = None,
        action: str | None = None,
        duration: int | None = None,
        currency: str = "EUR",
    ) -> list[Price]:
        opts = catalog_options(provider, package, action, duration)
        items = self._call("catalog.list", opts, currency, "A")
        prices = self._parse("catalog.list", parse_each(parse_prices, "catalog"), items)
        flat = [price for item in prices for price in item]
        # Without a package Gandi lists every site product: keep this provider's.
        return [p for p in flat if package or p.description.startswith(f"{provider}_")]

    # --- operations ---

    def operation_info(self, op_id: int) -> OperationInfo:
        op = self._call("operation.info", int(op_id))
        return self._parse("operation.info", parse_operation, op)

    def operation_list(
        self,
        filters: dict | None = None,
        *,
        page: int = 0,
        per_page: int = 100,
        sort_by: str | None = None,
    ) -> list[OperationInfo]:
        opts = list_options(filters, page=page, per_page=per_page, sort_by=sort_by)
        items = self._call("operation.list", opts)
        return self._parse("operation.list", parse_each(parse_operation, "operation.list"), items)

    def operation_count(self, filters: dict | None = None) -> int:
        return self._parse(
            "operation.count", int, self._call("operation.count", list_options(filters))
        )

    def operation_cancel(self, op_id: int) -> bool:
        return bool(self._call("operation.cancel", int(op_id)))


PAGE_READ_RETRIES = 1  # a read made while a page waits is retried once, quickly


@sensitive_variables("api_key")  # Django's error reports show "********" for the key
def client_for(
    url: str,
    api_key: str,
    *,
    timeout: float | None = None,
    for_request: bool = False,
    background: bool = False,
) -> GandiClient:
    """The client the portal uses: settings' timeout, and the per-key limiter shared via Redis
    (`GANDI_RATE_LIMIT_MARGIN` below Gandi's figure).

    `for_request`: a page is waiting, so the view timeout and a single retry of a failed read
    (a worker's three retries with backoff could hold a page for over a minute).
    `background`: work nobody waits for (sync details, rolling refresh), held to
    `GANDI_BACKGROUND_SHARE` of the limit so people's own calls always find room."""
    from django.conf import settings

    if timeout is None:
        timeout = settings.GANDI_VIEW_TIMEOUT if for_request else settings.GANDI_TIMEOUT
    calls = portal_limit(settings.GANDI_RATE_LIMIT_CALLS, settings.GANDI_RATE_LIMIT_MARGIN)
    limiter = RateLimiter.for_api_key(
        api_key,
        calls=calls,
        period=settings.GANDI_RATE_LIMIT_PERIOD,
        # A caller that gives a call `timeout` seconds will not wait longer for a slot either
        # (a view's short timeout stays short), but every caller may wait out one window.
        max_wait=max(timeout, settings.GANDI_RATE_LIMIT_PERIOD),
        background=background_limit(calls, settings.GANDI_BACKGROUND_SHARE) if background else None,
        # Half the limit at once, then an even pace: with the margin, calls that reach Gandi
        # late draw no 150004.
        spacing=settings.GANDI_RATE_LIMIT_PERIOD / calls,
        burst=max(1, calls // 2),
    )
    read_retries = PAGE_READ_RETRIES if for_request else 3
    return GandiClient(
        url,
        api_key,
        timeout=timeout,
        rate_limiter=limiter,
        read_retries=read_retries,
        ca_bundle=settings.GANDI_CA_BUNDLE,
    )

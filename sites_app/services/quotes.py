"""Prices before a charge: the quote of a create, what Gandi last said of the credit, and
the checks made when the person confirms and again when the worker sends.

The contract (../shared/gandi-site-api.md) has no call that reads an account's prepaid credit;
Gandi tells it only when it refuses a billable action (fault 530040, "X EUR needed, Y EUR
available"). The portal remembers that answer for a while, so the next confirmation page can
say how much credit Gandi reported and refuse a price above it before anything is sent.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.cache import cache

from sites_app.gandi.errors import CREDIT_AMOUNTS, GandiError, PermanentError
from sites_app.models import GandiAccount
from sites_app.services import catalog

# How long Gandi's word on the credit is believed (it may be topped up at Gandi meanwhile).
CREDIT_SECONDS = 600


@dataclass(frozen=True)
class Quote:
    """Gandi's catalogue price for one create: unit price times the duration."""

    package: str
    unit_price: float
    unit: str  # Gandi's duration unit: "m"
    units: int
    currency: str

    @property
    def total(self) -> float:
        return round(self.unit_price * self.units, 2)

    def words(self) -> str:
        return f"{self.total:.2f} {self.currency}"


@dataclass(frozen=True)
class Credit:
    needed: float
    available: float
    currency: str
    said_at: float  # epoch seconds

    @property
    def when(self) -> datetime:
        return datetime.fromtimestamp(self.said_at, tz=UTC)


class QuoteChanged(PermanentError):
    """The price at send time is above the one the person confirmed: nothing is sent."""


def units_of(duration: str, unit: str) -> int:
    """'3m' or '1y' in Gandi's duration unit ('m': months, 'y': years)."""
    amount, kind = int(duration[:-1]), duration[-1]
    months = amount * 12 if kind == "y" else amount
    if unit == "y":
        return max(1, months // 12)
    return months


def create_quote(
    account: GandiAccount,
    *,
    provider: str,
    package: str,
    duration: str,
    for_request: bool = True,
) -> Quote | None:
    """The price of creating this package for this duration, None when Gandi lists none.

    Read without a duration, so one cached price list serves every duration of a package."""
    prices = catalog.prices(
        account, provider=provider, package=package, action="create", for_request=for_request
    )
    price = next((p for p in prices if p.action in ("create", "")), None)
    if price is None:
        return None
    return Quote(
        package=package,
        unit_price=price.price,
        unit=price.duration_unit or "m",
        units=units_of(duration, price.duration_unit or "m"),
        currency=price.currency,
    )


def accepted_price(raw: str | None) -> float | None:
    """The confirmed price as posted by the form, None when it is not a finite number."""
    try:
        value = float(raw or "")
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        return None
    return round(value, 2)


def differs(quote: Quote, price: float | None, currency: str) -> bool:
    return price is None or currency != quote.currency or abs(price - quote.total) > 0.005


# --- what Gandi said of the credit -------------------------------------------------------


def _credit_key(account: GandiAccount) -> str:
    # Like the catalogue: a new account that reuses an id, or a replaced key, starts afresh.
    return catalog._key(account, "credit")


def credit_from_error(exc: GandiError) -> Credit | None:
    """The amounts of a 'no credit' fault, when Gandi's text gives them."""
    found = CREDIT_AMOUNTS.search(exc.fault_string or "")
    if not found:
        return None
    return Credit(
        needed=float(found.group("needed")),
        available=float(found.group("available")),
        currency=found.group("cur").upper(),
        said_at=time.time(),
    )


def remember_credit(account: GandiAccount, exc: GandiError) -> Credit | None:
    credit = credit_from_error(exc)
    if credit is not None:
        cache.set(_credit_key(account), credit, CREDIT_SECONDS)
    return credit


def known_credit(account: GandiAccount) -> Credit | None:
    """What Gandi last said the account's credit was, if it said so recently."""
    found = cache.get(_credit_key(account))
    return found if isinstance(found, Credit) else None


def forget_credit(account: GandiAccount) -> None:
    cache.delete(_credit_key(account))


def short_of_credit(account: GandiAccount, quote: Quote | None) -> str:
    """Plain words when Gandi recently said the credit is below this quote, else ""."""
    credit = known_credit(account)
    if quote is None or credit is None or credit.currency != quote.currency:
        return ""
    if credit.available + 1e-9 >= quote.total:
        return ""
    return (
        f"Not enough prepaid credit: this site costs {quote.total:.2f} {quote.currency} and "
        f"Gandi said the account “{account.name}” has {credit.available:.2f} "
        f"{credit.currency} available. Add credit at Gandi, then confirm again."
    )


# --- at send time ----------------------------------------------------------------------


def check_before_send(account: GandiAccount, params: dict, *, for_request: bool = False) -> None:
    """Refuse (QuoteChanged) a create whose price went up since the person confirmed it.

    Uses the catalogue cache (prices are kept a minute), so a send normally costs no call.
    The worker calls it before sending; a request (`for_request`, the short timeout) before
    it writes the Operation of a create confirmed long ago (an ownership proof's)."""
    confirmed = accepted_price(str(params.get("price", "")))
    if "price" not in params or confirmed is None:
        return
    quote = create_quote(
        account,
        provider=params.get("provider", "basekit_whitelabel"),
        package=params.get("package", "personal"),
        duration=params.get("duration", "1m"),
        for_request=for_request,
    )
    if quote is None:
        return
    currency = params.get("currency", quote.currency)
    if currency == quote.currency and quote.total <= confirmed + 0.005:
        return
    raise QuoteChanged(
        f"Not sent: Gandi's price is now {quote.words()}, more than the {confirmed:.2f} "
        f"{currency} you confirmed. Nothing was bought. Start the create again to see the "
        "new price."
    )

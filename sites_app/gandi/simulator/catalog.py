"""What the simulated Gandi sells: one provider, three packages in offer order, prices.

Prices are per month in EUR (grid A). Creating a site costs the package's ``create`` price
for each month of the duration. An upgrade costs the target package's ``update`` price for
each month left until ``date_end`` (rounded up, at least one).
"""

import re
from datetime import datetime, timedelta

PROVIDER = "basekit_whitelabel"
PARKING_DOMAIN = "basekit-site.example"
PACKAGES = ("personal", "professional", "business")  # offer order: each one above the last

# Per month, EUR: the price to create or renew, and the monthly extra of moving up to it.
MONTHLY_PRICES = {
    "personal": {"create": 4.99, "renew": 4.99},
    "professional": {"create": 9.99, "renew": 9.99, "update": 5.00},
    "business": {"create": 19.99, "renew": 19.99, "update": 10.00},
}
MIN_MONTHS, MAX_MONTHS = 1, 36
CURRENCY_RATES = {"EUR": 1.0, "USD": 1.10, "GBP": 0.85}
GRIDS = ("A", "B", "C", "D", "E")

_DURATION = re.compile(r"^(\d{1,3})([my])$")


def description(package: str, provider: str = PROVIDER) -> str:
    return f"{provider}_{package}"


def package_rank(package: str) -> int:
    return PACKAGES.index(package)


def parse_duration(value: str) -> int | None:
    """'3m' -> 3, '1y' -> 12; None when the text is not a duration in the allowed range."""
    match = _DURATION.match(value.strip().lower())
    if not match:
        return None
    months = int(match.group(1)) * (12 if match.group(2) == "y" else 1)
    return months if MIN_MONTHS <= months <= MAX_MONTHS else None


def create_price(package: str, months: int) -> float:
    return round(MONTHLY_PRICES[package]["create"] * months, 2)


def months_left(now: datetime, date_end: datetime) -> int:
    """Calendar months from now to date_end, a started month counting as one (at least 1).

    A day of grace keeps a site created a moment ago for "2m" at 2 months, not 3."""
    months = 1
    while add_months(now, months) < date_end - timedelta(days=1) and months < MAX_MONTHS:
        months += 1
    return months


def upgrade_price(target: str, now: datetime, date_end: datetime) -> float:
    return round(MONTHLY_PRICES[target]["update"] * months_left(now, date_end), 2)


def add_months(start: datetime, months: int) -> datetime:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    # Clamp the day: 31 January + 1 month is the last day of February.
    for day in (start.day, 30, 29, 28):
        try:
            return start.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def catalog_items(
    *,
    package_filter: str | None,
    action_filter: str | None,
    duration: int | None,
    currency: str,
    grid: str,
) -> list[dict]:
    """The price list in the shape of the contract's §5."""
    rate = CURRENCY_RATES[currency]
    items = []
    for package in PACKAGES:
        if package_filter is not None and description(package) != package_filter:
            continue
        for action, monthly in MONTHLY_PRICES[package].items():
            if action_filter is not None and action != action_filter:
                continue
            if duration is not None and not MIN_MONTHS <= duration <= MAX_MONTHS:
                continue
            action_struct: dict = {"name": action}
            if duration is not None:
                action_struct["duration"] = duration
            items.append(
                {
                    "product": {"type": "site", "description": description(package)},
                    "action": action_struct,
                    "unit_price": [
                        {
                            "price": round(monthly * rate, 2),
                            "currency": currency,
                            "grid": grid,
                            "duration_unit": "m",
                            "min_duration": MIN_MONTHS,
                            "max_duration": MAX_MONTHS,
                        }
                    ],
                }
            )
    return items

"""Showing Gandi's values to people: international vhosts, and an operation's request."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from sites_app.forms.sites import DURATIONS, PROVIDERS
from sites_app.services.hostnames import unicode_form

register = template.Library()

DURATION_LABELS = dict(DURATIONS)
PROVIDER_LABELS = dict(PROVIDERS)
# How an operation's stored parameters read on its page, in this order; others are internal.
REQUEST_LABELS = {
    "name": "Name",
    "provider": "Provider",
    "package": "Package",
    "duration": "Paid for",
    "vhosts": "Vhosts",
    "added_vhosts": "New vhosts",
    "price": "Price accepted",
}


@register.filter
def provider_name(code: str) -> str:
    """`Basekit (Gandi's website builder)` for `basekit_whitelabel`: Gandi's codes stay inside."""
    code = str(code or "")
    return PROVIDER_LABELS.get(code) or code.replace("_", " ").capitalize()


@register.filter
def package_name(code: str) -> str:
    """`Professional` for `professional`, `Pro plus` for `pro_plus`."""
    return str(code or "").replace("_", " ").strip().capitalize()


@register.filter
def vhost(name: str) -> str | SafeString:
    """`www.bücher.example (www.xn--bcher-kva.example)` for an international name."""
    shown = unicode_form(name or "")
    if shown == name:
        return name
    return format_html(
        '<span data-testid="vhost-unicode">{}</span> <span class="text-body-secondary">({})</span>',
        shown,
        name,
    )


@register.filter
def vhost_list(names: list[str]) -> SafeString:
    # One per line: a list of long host names separated by commas is hard to read.
    return format_html_join(mark_safe("<br>"), "{}", ((vhost(name),) for name in names or []))


@register.filter
def request_rows(params: dict) -> list[tuple[str, str | SafeString]]:
    """The operation's request as (label, value) rows in plain words."""
    rows = []
    for key, label in REQUEST_LABELS.items():
        value = params.get(key)
        if value in (None, "", []):
            continue
        if key in ("vhosts", "added_vhosts"):
            value = vhost_list(value)
        elif key == "duration":
            value = DURATION_LABELS.get(value, value)
        elif key == "package":
            value = package_name(value)
        elif key == "provider":
            value = provider_name(value)
        elif key == "price":
            value = f"{float(value):.2f} {params.get('currency', '')}".strip()
        rows.append((label, value))
    return rows


UNITS = {"m": "month", "y": "year", "d": "day"}


@register.filter
def per_unit(unit: str) -> str:
    """Gandi's duration unit ('m') as people say it ('per month')."""
    return f"per {UNITS.get(unit, unit)}" if unit else ""


@register.inclusion_tag("sites/partials/busy_notice.html")
def busy_notice(site) -> dict:
    """Before a change: say that one is already in flight (the portal takes one at a time)."""
    return {"busy": site.operations.in_flight().order_by("pk").first()}

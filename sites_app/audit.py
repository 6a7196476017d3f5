"""Writing audit events. Callers pass labels and ids, never secrets."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.db.models import Model
from django.http import HttpRequest

from .models import AuditEvent, Team


def client_ip(request: HttpRequest | None) -> str | None:
    """The person's address, for the audit log and for sign-in throttling (django-axes calls
    this too, through AXES_CLIENT_IP_CALLABLE).

    Behind TRUSTED_PROXY_COUNT reverse proxies, each appends the address it got the request
    from to X-Forwarded-For, so the person's address is that many entries from the right;
    entries further left are whatever the client sent and prove nothing. Without trusted
    proxies, or when the header is too short or malformed, REMOTE_ADDR is the only fact.
    """
    if request is None:
        return None
    remote_addr = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        return remote_addr
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote_addr


def record(
    action: str,
    *,
    actor=None,
    team: Team | None = None,
    obj: Model | None = None,
    outcome: str = AuditEvent.Outcome.SUCCESS,
    request: HttpRequest | None = None,
    **detail,
) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        team=team,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=getattr(actor, "username", "") or detail.pop("username", ""),
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=str(obj)[:255] if obj is not None else "",
        outcome=outcome,
        detail={key: value for key, value in detail.items() if value not in ("", None)},
        ip_address=client_ip(request),
    )

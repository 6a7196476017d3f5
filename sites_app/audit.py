"""Writing audit events. Callers pass labels and ids, never secrets."""

from __future__ import annotations

from django.db.models import Model
from django.http import HttpRequest

from .models import AuditEvent, Team


def client_ip(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


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
        detail=detail,
        ip_address=client_ip(request),
    )

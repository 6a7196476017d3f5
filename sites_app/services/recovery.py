"""After an ambiguous failure: look at Gandi for what the lost call did, never send it again.

A row in CHECKING had its one mutating call sent, and the answer was lost (or the worker
died mid-call). Gandi may have acted, and may still act: a call the client gave up on can
still be inside Gandi. So we keep looking for its operation (by type, site and time) with
backoff until the call's timeout plus a grace period has passed, and adopt it if it shows.
If it never shows, a person must check Gandi: "nothing was changed" is never a guess.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from sites_app.crypto import SecretUnreadable
from sites_app.gandi.client import GandiClient, OperationInfo
from sites_app.gandi.errors import GandiError
from sites_app.models import Operation, OperationKind, OperationStatus
from sites_app.services.operations import GANDI_TYPES, LOOKUP_SKEW, adopt, finish, max_countdown

log = logging.getLogger(__name__)
Status = OperationStatus

# How long after the client gave up Gandi may still turn a received call into an operation.
LOOK_GRACE = timedelta(minutes=3)
FIRST_LOOK_AFTER = 2.0  # seconds; doubled after each empty look
MAX_LOOK_INTERVAL = 30.0
NOT_FOUND_MESSAGE = (
    "Gandi's answer to this request was lost and the portal could not find what Gandi did. "
    "Check the sites at Gandi before sending it again: it may have been carried out."
)


def look_until(op: Operation):
    """The moment after which a lost call can no longer show up at Gandi."""
    return (op.claimed_at or op.created_at) + timedelta(seconds=settings.GANDI_TIMEOUT) + LOOK_GRACE


def next_look_delay(op: Operation) -> float:
    """Wait about as long as we have already waited (so the looks double), capped."""
    waited = (timezone.now() - (op.claimed_at or op.created_at)).total_seconds()
    return max(FIRST_LOOK_AFTER, min(MAX_LOOK_INTERVAL, waited))


def recover_operation(op_id: int) -> None:
    """Find at Gandi what an unanswered call did, and adopt it; nothing is sent again."""
    op = Operation.objects.select_related("account", "site").filter(pk=op_id).first()
    if op is None or op.status != Status.CHECKING:
        return
    try:
        client = op.account.client()
        found = look_for_sent(client, op)
    except (GandiError, SecretUnreadable) as exc:
        message = exc.message
        if timezone.now() >= op.deadline:
            finish(
                op,
                Status.NEEDS_ATTENTION,
                "The portal could not find out what Gandi did "
                f"with this request in time ({message}). Check the site before retrying.",
                expected=Status.CHECKING,
            )
            return
        _look_again(op, 10.0)
        return
    if isinstance(found, OperationInfo):
        log.info("operation %s: adopted Gandi operation %s after a lost answer", op.pk, found.id)
        adopt(op, found)
    elif found == "site_without_operation":
        finish(
            op,
            Status.NEEDS_ATTENTION,
            "The site exists at Gandi but the portal cannot find "
            "the operation that made it. Sync the sites to see it.",
            expected=Status.CHECKING,
        )
    elif timezone.now() < look_until(op):
        _look_again(op, next_look_delay(op))
    else:
        finish(op, Status.NEEDS_ATTENTION, NOT_FOUND_MESSAGE, expected=Status.CHECKING)


def _look_again(op: Operation, delay: float) -> None:
    from sites_app import tasks

    delay = min(delay, max_countdown())
    Operation.objects.filter(pk=op.pk, status=Status.CHECKING).update(
        next_poll_at=timezone.now() + timedelta(seconds=delay)
    )
    tasks.recover_operation.apply_async((op.id,), countdown=delay)


def look_for_sent(client: GandiClient, op: Operation) -> OperationInfo | str | None:
    """The Gandi operation this row's lost call created, if any."""
    since = (op.claimed_at or op.created_at) - LOOKUP_SKEW
    taken = set(
        Operation.objects.exclude(pk=op.pk)
        .filter(account=op.account, gandi_operation_id__isnull=False)
        .values_list("gandi_operation_id", flat=True)
    )
    gandi_type = GANDI_TYPES[op.kind]
    if op.kind == OperationKind.CREATE:
        candidates = client.find_operations(type=gandi_type, since=since)
        matching = [c for c in candidates if c.params.get("name") == op.params.get("name")]
        if not matching:
            site = client.find_site_by_name(op.params["name"])
            if site is not None and (site.date_created is None or site.date_created >= since):
                matching = client.find_operations(type=gandi_type, site_id=site.id, since=since)
                if not matching:
                    return "site_without_operation"
    else:
        if op.site is None:
            return None
        candidates = client.find_operations(type=gandi_type, site_id=op.site.gandi_id, since=since)
        matching = [c for c in candidates if _same_change(op, c)]
    matching = [c for c in matching if c.id not in taken]
    matching.sort(key=lambda c: c.id)
    return matching[0] if matching else None


def _same_change(op: Operation, candidate: OperationInfo) -> bool:
    params = candidate.params or {}
    if op.kind == OperationKind.UPDATE_VHOSTS and "vhosts" in params:
        sent = list(op.params.get("sent_vhosts") or op.params["vhosts"])
        return list(params["vhosts"])[: len(sent)] == sent
    if op.kind == OperationKind.UPGRADE and "package" in params:
        return params["package"] == op.params["package"]
    if op.kind == OperationKind.UPDATE_VHOSTS:
        return "package" not in params
    if op.kind == OperationKind.UPGRADE:
        return "vhosts" not in params
    return True

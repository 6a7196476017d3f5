"""After an ambiguous failure: find what the lost call did at Gandi, or prove it did nothing.

A row in CHECKING had its one mutating call sent and the answer was lost (a 503, a dropped
connection, a worker killed mid-call). Gandi may have acted. We look for the operation the
call made, by what identifies it exactly: a create by its vhosts (a vhost belongs to one
site), an update or delete by its site, type and time window; and adopt it. A Gandi
operation is adopted by one row only (a database constraint); a row that loses that race
looks again.

If nothing shows in a look made after the call can no longer be acted on (its last moment
on the wire, `lease_until`, plus `GANDI_LATE_ACT_SECONDS`), Gandi did nothing: the row is
sent again, once per such proof, and its page says so. Only what a look cannot settle
is left to a person.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from sites_app.crypto import SecretUnreadable
from sites_app.gandi.client import GandiClient, OperationInfo
from sites_app.gandi.errors import GandiError
from sites_app.gandi.lookups import same_create
from sites_app.models import Operation, OperationKind, OperationStatus
from sites_app.services.operations import GANDI_TYPES, LOOKUP_SKEW, adopt, finish, max_countdown

log = logging.getLogger(__name__)
Status = OperationStatus

FIRST_LOOK_AFTER = 2.0  # seconds; doubled after each empty look
MAX_LOOK_INTERVAL = 30.0
# Proofs of "Gandi did nothing" that each allow one automatic re-send; after that, a person.
MAX_AUTO_RESENDS = 3
SITE_WITHOUT_OPERATION = "site_without_operation"
GIVE_UP_MESSAGE = (
    "Gandi's answer was lost several times in a row for this request, and each time Gandi "
    "had done nothing. The portal stopped re-sending it: nothing was changed, you may retry."
)


def late_act() -> timedelta:
    """How long after a call ended Gandi may still turn it into an operation."""
    return timedelta(seconds=settings.GANDI_LATE_ACT_SECONDS)


def proof_after(op: Operation) -> datetime:
    """A look that starts after this moment and finds nothing proves Gandi did nothing.

    Every send passes a fence that checks its claim and stretches `lease_until` over the
    whole call; once the row is CHECKING no fence passes, so `lease_until` (database clock)
    is the last moment a request of this row can be on the wire."""
    on_the_wire_until = op.lease_until or (
        (op.claimed_at or op.created_at) + timedelta(seconds=settings.GANDI_TIMEOUT)
    )
    return on_the_wire_until + late_act()


def next_look_delay(op: Operation, now: datetime) -> float:
    """About as long as we have already waited (so looks double), capped, and never past
    the moment a look becomes a proof."""
    waited = (now - (op.claimed_at or op.created_at)).total_seconds()
    delay = max(FIRST_LOOK_AFTER, min(MAX_LOOK_INTERVAL, waited))
    until_proof = (proof_after(op) - now).total_seconds()
    if until_proof > 0:
        delay = min(delay, until_proof + 0.5)
    return delay


def recover_operation(op_id: int) -> None:
    """Find at Gandi what an unanswered call did, and adopt it; or prove it did nothing."""
    op = (
        Operation.objects.select_related("account", "site")
        .annotate(db_now=Now())  # compared with `lease_until`: the same clock
        .filter(pk=op_id)
        .first()
    )
    if op is None or op.status != Status.CHECKING:
        return
    looked_at = op.db_now
    try:
        client = op.account.client()
        found = look_for_sent(client, op)
        while isinstance(found, OperationInfo):
            adopted = adopt(op, found)
            if adopted is not None:
                if adopted:
                    log.info("operation %s: adopted Gandi operation %s", op.pk, found.id)
                return
            found = look_for_sent(client, op)  # another row took it first: look again
    except (GandiError, SecretUnreadable) as exc:
        if timezone.now() >= op.deadline:
            finish(
                op,
                Status.NEEDS_ATTENTION,
                "The portal could not find out what Gandi did "
                f"with this request in time ({exc.message}). Check the site before retrying.",
                expected=Status.CHECKING,
                detail=f"could not look at {what_was_looked_at(op)}: {exc.message}",
            )
            return
        _look_again(op, 10.0)
        return
    if found == SITE_WITHOUT_OPERATION:
        finish(
            op,
            Status.NEEDS_ATTENTION,
            "A site with this request's vhosts exists at Gandi, but the portal cannot find "
            "the operation that made it. Sync the sites to see it, then check it at Gandi.",
            expected=Status.CHECKING,
            detail=f"looked at {what_was_looked_at(op)}",
        )
        return
    # A worker whose call ended meanwhile moved `lease_until` on: decide on the row as it is.
    op.refresh_from_db(
        fields=["status", "lease_until", "attempts", "auto_resends", "recovery_note"]
    )
    if op.status != Status.CHECKING:
        return
    if looked_at < proof_after(op):
        _look_again(op, next_look_delay(op, looked_at))
    else:
        send_again_after_proof(op, looked_at)


def send_again_after_proof(op: Operation, looked_at: datetime) -> bool:
    """Gandi did nothing with the lost call: send the request again, once for this proof."""
    from sites_app import tasks

    what = what_was_looked_at(op)
    if op.auto_resends >= MAX_AUTO_RESENDS:
        # Proven not done at Gandi: a failure with a safe one-click retry, not a puzzle.
        return finish(
            op,
            Status.FAILED,
            GIVE_UP_MESSAGE,
            expected=Status.CHECKING,
            retry_safe=True,
            detail=f"{op.auto_resends} automatic re-sends; last look: {what}",
            # Only the row this proof was made for: not one that moved on meanwhile.
            where={"attempts": op.attempts, **_same_lease(op)},
        )
    stamp = timezone.localtime(looked_at).strftime("%H:%M:%S")
    note = (
        f"Gandi's answer was lost. At {stamp} the portal looked at {what} and found that "
        "Gandi had done nothing with it, so it sent the request again automatically."
    )
    # Conditional on the count read: two recoveries of the same proof re-send once. And on
    # the lease read: a call that ended later moved it on, and this proof no longer holds.
    # (`lte`, not equality: SQLite keeps the database clock's milliseconds as text.)
    resent = Operation.objects.filter(
        pk=op.pk,
        status=Status.CHECKING,
        attempts=op.attempts,
        auto_resends=op.auto_resends,
        **_same_lease(op),
    ).update(
        status=Status.QUEUED,
        auto_resends=F("auto_resends") + 1,
        next_poll_at=timezone.now(),
        lease_until=None,
        last_error="",
        recovery_note="\n".join(filter(None, [op.recovery_note, note])),
    )
    if resent:
        log.info("operation %s: nothing at Gandi after a lost answer; sending it again", op.pk)
        tasks.submit_operation.delay(op.pk)
    return bool(resent)


def _same_lease(op: Operation) -> dict:
    """The row's lease has not moved on since `op` was read (a lease is only ever moved later)."""
    if op.lease_until is None:
        return {"lease_until__isnull": True}
    return {"lease_until__lte": op.lease_until}


def what_was_looked_at(op: Operation) -> str:
    since = timezone.localtime((op.claimed_at or op.created_at) - LOOKUP_SKEW).strftime("%H:%M:%S")
    if op.kind == OperationKind.CREATE:
        vhosts = ", ".join(op.params.get("vhosts", []))
        return (
            f"Gandi's site creations since {since} and its sites named “{op.params.get('name')}” "
            f"for the vhosts {vhosts}"
        )
    site = op.site.name if op.site else op.site_name
    return f"Gandi's operations on the site “{site}” since {since}"


def _look_again(op: Operation, delay: float) -> None:
    from sites_app import tasks

    delay = min(delay, max_countdown())
    Operation.objects.filter(pk=op.pk, status=Status.CHECKING).update(
        next_poll_at=timezone.now() + timedelta(seconds=delay)
    )
    tasks.recover_operation.apply_async((op.id,), countdown=delay)


def look_for_sent(client: GandiClient, op: Operation) -> OperationInfo | str | None:
    """The Gandi operation this row's lost call created (and no other row holds), if any."""
    since = (op.claimed_at or op.created_at) - LOOKUP_SKEW
    gandi_type = GANDI_TYPES[op.kind]
    if op.kind == OperationKind.CREATE:
        vhosts = list(op.params.get("vhosts", []))
        candidates = client.find_operations(type=gandi_type, since=since)
        matching = [c for c in candidates if same_create(c, vhosts)]
        if not matching:
            site = client.find_created_site(name=op.params["name"], vhosts=vhosts, since=since)
            if site is not None:
                on_site = client.find_operations(type=gandi_type, site_id=site.id, since=since)
                if not on_site:
                    return SITE_WITHOUT_OPERATION
                # A create that says which vhosts it asked for must be this one's; only one
                # that does not say is taken on the site's word.
                matching = [c for c in on_site if not c.params or same_create(c, vhosts)]
    else:
        if op.site is None:
            return None
        candidates = client.find_operations(type=gandi_type, site_id=op.site.gandi_id, since=since)
        matching = [c for c in candidates if _same_change(op, c)]
    # Nor can it be an operation made after the call could last be acted on.
    until = proof_after(op) + LOOKUP_SKEW
    matching = [c for c in matching if c.date_created is None or c.date_created <= until]
    # Nor one another row holds: asked for these candidates only, not every id ever adopted.
    taken = set(
        Operation.objects.exclude(pk=op.pk)
        .filter(account=op.account, gandi_operation_id__in=[c.id for c in matching])
        .values_list("gandi_operation_id", flat=True)
    )
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

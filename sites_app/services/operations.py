"""Operations: write the row, send it to Gandi once, look before re-sending, cancel, retry.

The rules (ARCHITECTURE §5): a view only writes the row and enqueues on commit; the worker
claims the row with a conditional UPDATE and makes at most one mutating call for it; after
an ambiguous failure it looks at Gandi for the result instead of sending again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from sites_app import audit
from sites_app.crypto import SecretUnreadable
from sites_app.gandi.client import GandiClient, OperationInfo, SendFenced
from sites_app.gandi.errors import (
    AmbiguousError,
    NoCreditError,
    PermanentError,
    TransientError,
    VhostTakenError,
)
from sites_app.models import GandiAccount, Operation, OperationKind, OperationStatus, Site
from sites_app.models.audit import AuditEvent
from sites_app.services import leases, notifications, quotes
from sites_app.services.enqueue import enqueue_on_commit
from sites_app.services.hostnames import rebase_vhost_change

log = logging.getLogger(__name__)
Status = OperationStatus

# How long Gandi may take before a person must look (seconds, per kind).
DEADLINES = {
    OperationKind.CREATE: 30 * 60,
    OperationKind.UPDATE_VHOSTS: 15 * 60,
    OperationKind.UPGRADE: 15 * 60,
    OperationKind.DELETE: 15 * 60,
}
GANDI_TYPES = {
    OperationKind.CREATE: "sitebuilder_create",
    OperationKind.UPDATE_VHOSTS: "sitebuilder_update",
    OperationKind.UPGRADE: "sitebuilder_update",
    OperationKind.DELETE: "sitebuilder_delete",
}
SITE_STATE_WHILE = {
    OperationKind.UPDATE_VHOSTS: "being_updated",
    OperationKind.UPGRADE: "being_updated",
    OperationKind.DELETE: "being_deleted",
}
# Gandi's clock and ours may differ: look a little before the claim time.
LOOKUP_SKEW = timedelta(minutes=2)
# The lease a send takes for its one call: the call's timeout plus this (connecting, a slow
# reply). Recovery's proof window starts where that lease ends.
SEND_LEASE_MARGIN = 5.0


class OperationRefused(Exception):
    """The request cannot be accepted now; the message says why in plain words."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field  # the form field the message belongs next to, if any


def audit_action(kind: str) -> str:
    return f"site.{kind}"


def max_countdown() -> float:
    """A delayed message must come back before Redis would hand it out a second time."""
    return max(1.0, settings.CELERY_VISIBILITY_TIMEOUT / 2)


def request_operation(
    *,
    account: GandiAccount,
    kind: str,
    user,
    params: dict,
    idempotency_key: str,
    site: Site | None = None,
    request=None,
    retry_of: Operation | None = None,
) -> tuple[Operation, bool]:
    """Write the Operation row and queue it on commit; the same key returns the same row."""
    from sites_app import tasks

    if not idempotency_key:
        raise OperationRefused("The form is missing its request key; reload the page and retry.")
    with transaction.atomic():
        existing = Operation.objects.filter(account=account, idempotency_key=idempotency_key)
        if found := existing.first():
            return found, False
        if kind == OperationKind.CREATE:
            _refuse_vhosts_in_flight(account, params.get("vhosts", []))
        if site is not None:
            # Lock the site row so two different requests cannot both pass the check below.
            site = Site.objects.select_for_update().get(pk=site.pk)
            if site.is_removed:
                raise OperationRefused("This site no longer exists at Gandi.")
            busy = site.operations.in_flight().first()
            if busy is not None:
                raise OperationRefused(
                    f"“{busy}” is still in progress on this site; wait until it ends."
                )
        try:
            with transaction.atomic():
                op = Operation.objects.create(
                    account=account,
                    kind=kind,
                    site=site,
                    site_name=site.name if site else params.get("name", ""),
                    requested_by=user if user is not None and user.is_authenticated else None,
                    params=params,
                    idempotency_key=idempotency_key,
                    deadline=timezone.now() + timedelta(seconds=DEADLINES[kind]),
                    retry_of=retry_of,
                )
        except IntegrityError:  # the same form sent twice at once: the other one won
            return Operation.objects.get(account=account, idempotency_key=idempotency_key), False
        audit.record(
            audit_action(kind),
            actor=user,
            team=account.team,
            obj=op,
            outcome=AuditEvent.Outcome.REQUESTED,
            request=request,
            account=account.name,
            site=op.site_name,
            **_audit_params(params),
        )
        enqueue_on_commit(tasks.submit_operation, op.id)
    return op, True


def _refuse_vhosts_in_flight(account: GandiAccount, vhosts: list[str]) -> None:
    """A create is recognised at Gandi by its vhosts: two in flight may not share one.

    Under a lock on the account row, so two creates submitted at once queue one behind the
    other and the second sees the first."""
    GandiAccount.objects.select_for_update().filter(pk=account.pk).first()
    if (problem := vhosts_in_flight(account, vhosts)) is not None:
        raise OperationRefused(problem, field="vhosts")


def vhosts_in_flight(account: GandiAccount, vhosts: list[str]) -> str | None:
    """Why these vhosts cannot be asked for now (another create in flight has one), or None;
    a form asks before Gandi's dry run, and `request_operation` again under the lock."""
    wanted = {v.lower() for v in vhosts}
    in_flight = Operation.objects.in_flight().filter(account=account, kind=OperationKind.CREATE)
    for other in in_flight.only("pk", "kind", "site_name", "params"):
        shared = sorted(wanted & {str(v).lower() for v in other.params.get("vhosts", [])})
        if shared:
            return (
                f"{', '.join(shared)} is already asked for by “{other}”, still in progress; "
                "wait until it ends, or choose another vhost."
            )
    return None


def _audit_params(params: dict) -> dict:
    keep = ("vhosts", "package", "duration", "provider", "price", "currency")
    return {key: params[key] for key in keep if key in params}


# --- the worker side ---------------------------------------------------------------


def submit_operation(op_id: int) -> None:
    """Claim a queued row and make its one mutating Gandi call."""
    now = timezone.now()
    claimed = (
        Operation.objects.filter(pk=op_id, status=Status.QUEUED)
        .exclude(next_poll_at__gt=now + timedelta(seconds=1))
        .update(
            status=Status.SENDING,
            claimed_at=Now(),
            lease_until=leases.lease_until(),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return  # someone else has it, it is not due yet, or it was cancelled
    # `attempts` as read now is this claim's token: every later write of this worker is
    # conditional on it, so nothing it does lands on a claim that another worker took over.
    op = Operation.objects.select_related("account", "site").get(pk=op_id)
    mine = {"attempts": op.attempts}
    if now >= op.deadline:
        finish(
            op,
            Status.FAILED,
            "Gandi could not be reached before the deadline; nothing was changed.",
            expected=Status.SENDING,
            retry_safe=True,
            where=mine,
        )
        return
    try:
        client = op.account.client()
    except SecretUnreadable as exc:
        finish(op, Status.FAILED, exc.message, expected=Status.SENDING, retry_safe=True, where=mine)
        return
    try:
        # The lease says a live worker is in the call; it lapses seconds after a kill -9.
        with leases.renewed(lambda: _renew_send_lease(op.pk, op.attempts)):
            gandi_op = send_mutation(client, op)
    except SendFenced:
        # The claim lapsed while this worker waited (a rate-limit slot, a paused machine,
        # renewals that failed): recovery owns the row now, and nothing was sent.
        log.warning("operation %s: claim %s lapsed before sending; not sent", op.pk, op.attempts)
        return
    except AmbiguousError as exc:
        _after_ambiguous(op, exc)
        return
    except TransientError as exc:
        _send_later(op, exc)
        return
    except VhostTakenError as exc:
        if op.kind == OperationKind.CREATE and op.auto_resends:
            # A re-sent create whose vhost is taken: maybe by the first send after all (Gandi
            # gives a vhost to one site). Look for it rather than call the request failed.
            _after_ambiguous(op, exc)
        else:
            _refused(op, exc)
        return
    except PermanentError as exc:
        if isinstance(exc, NoCreditError):
            quotes.remember_credit(op.account, exc)  # the next quote can say it
        _refused(op, exc)
        return
    adopted = adopt(op, gandi_op)
    if adopted is None:
        # Gandi's own answer names an operation another row already holds: only a person can
        # tell which row is right, and nothing may be sent again for this one.
        if not finish(
            op,
            Status.NEEDS_ATTENTION,
            "Gandi answered with an operation the portal already follows for another "
            f"request (Gandi operation {gandi_op.id}). Check the sites at Gandi.",
            expected=(Status.SENDING, Status.CHECKING),
            detail=f"operation {gandi_op.id} is adopted by another row",
            where=mine,
        ):
            keep_late_answer(op, gandi_op)
    elif not adopted and not adopt(op, gandi_op, late=True):
        keep_late_answer(op, gandi_op)


def keep_late_answer(op: Operation, gandi_op: OperationInfo) -> None:
    """Gandi acted on a send whose answer came after the row had moved on (its claim was
    taken over, or it ended): a paid change must never be dropped, so a person looks."""
    message = (
        "Gandi acted on a send of this request whose answer came late, after the portal "
        f"had moved on (Gandi operation {gandi_op.id}). Check the sites at Gandi: there "
        "may be a second site or change to keep or remove."
    )
    log.error(
        "operation %s: late answer from Gandi (operation %s) after claim %s was taken over",
        op.pk,
        gandi_op.id,
        op.attempts,
    )
    Operation.objects.filter(pk=op.pk).update(
        status=Status.NEEDS_ATTENTION,
        finished_at=timezone.now(),
        next_poll_at=None,
        retry_safe=False,
        last_error=message,
        error_detail=f"late answer: Gandi operation {gandi_op.id} (step {gandi_op.step})",
    )
    audit.record(
        audit_action(op.kind),
        actor=op.requested_by,
        team=op.account.team,
        obj=op,
        outcome=AuditEvent.Outcome.FAILURE,
        status=Status.NEEDS_ATTENTION,
        gandi_operation_id=gandi_op.id,
        message=message,
    )


def _refused(op: Operation, exc: PermanentError) -> None:
    finish(
        op,
        Status.FAILED,
        exc.message,
        expected=Status.SENDING,
        detail=exc.support_text(),
        retry_safe=True,
        where={"attempts": op.attempts},
    )


def _renew_send_lease(op_id: int, attempts: int) -> bool:
    """Renew this claim's lease; False once it lapsed or the row was taken over (a lapsed
    lease is never revived: the reconciler may already have acted on it)."""
    return bool(
        Operation.objects.filter(
            pk=op_id, status=Status.SENDING, attempts=attempts, lease_until__gt=Now()
        ).update(lease_until=leases.extended_lease())
    )


def fence_before_send(op_id: int, attempts: int, call_seconds: float) -> bool:
    """The last check before the one mutating call, after any wait for a rate-limit slot.

    The claim must still be this worker's and its lease unexpired by the database's clock;
    the lease then covers the whole call, so recovery's proof window (which starts where the
    lease ends) cannot begin while the request may still be on the wire."""
    return bool(
        Operation.objects.filter(
            pk=op_id, status=Status.SENDING, attempts=attempts, lease_until__gt=Now()
        ).update(lease_until=leases.extended_lease(call_seconds + SEND_LEASE_MARGIN))
    )


def send_mutation(client: GandiClient, op: Operation) -> OperationInfo:
    """The one mutating call for this row, sent only if the fence lets it (`SendFenced`)."""
    params = op.params

    def fence() -> bool:
        return fence_before_send(op.pk, op.attempts, client.timeout)

    if op.kind == OperationKind.CREATE:
        quotes.check_before_send(op.account, params)  # never above the confirmed price
        return client.site_create(
            name=params["name"],
            vhosts=list(params["vhosts"]),
            provider=params.get("provider", "basekit_whitelabel"),
            package=params.get("package", "personal"),
            duration=params.get("duration", "1m"),
            fence=fence,
        )
    if op.site is None:
        raise PermanentError("The site of this operation is gone from the portal.")
    if op.kind == OperationKind.UPDATE_VHOSTS:
        vhosts = vhosts_to_send(client, op)
        return client.site_update(op.site.gandi_id, vhosts=vhosts, fence=fence)
    if op.kind == OperationKind.UPGRADE:
        return client.site_update(op.site.gandi_id, package=params["package"], fence=fence)
    if op.kind == OperationKind.DELETE:
        return client.site_delete(op.site.gandi_id, fence=fence)
    raise PermanentError(f"Unknown operation kind {op.kind!r}.")


def vhosts_to_send(client: GandiClient, op: Operation) -> list[str]:
    """The requested change applied to the site's vhosts as Gandi has them right now.

    The request may be minutes (or, after a TXT proof, days) old: a list built from the
    portal's copy would undo changes made at Gandi since. Stored before sending, so recovery
    after a lost answer knows which list it is looking for."""
    current = client.site_info(op.site.gandi_id).vhosts
    vhosts = rebase_vhost_change(list(op.params["vhosts"]), op.params.get("based_on"), current)
    op.params = {**op.params, "sent_vhosts": vhosts}
    Operation.objects.filter(pk=op.pk, status=Status.SENDING, attempts=op.attempts).update(
        params=op.params
    )
    return vhosts


def _send_later(op: Operation, exc: TransientError) -> None:
    """Gandi refused before acting (busy, rate limit, unreachable): send again later."""
    from sites_app import tasks

    delay = min(60.0, 2.0 * 2 ** min(op.attempts, 5))
    queued = Operation.objects.filter(pk=op.pk, status=Status.SENDING, attempts=op.attempts).update(
        status=Status.QUEUED,
        next_poll_at=timezone.now() + timedelta(seconds=delay),
        last_error=f"{exc.message} The portal will try again.",
        error_detail=exc.support_text(),
    )
    if queued:  # else another worker holds the row now: it is not ours to queue again
        tasks.submit_operation.apply_async((op.id,), countdown=delay)


def _after_ambiguous(op: Operation, exc: AmbiguousError | VhostTakenError) -> None:
    from sites_app import tasks

    # The call has ended: from now on only Gandi itself can still act on it (recovery waits
    # a little past this before it takes "nothing found" as proof). A row the reconciler
    # already moved to CHECKING gets the later moment too.
    now = timezone.now()
    checking = Operation.objects.filter(
        pk=op.pk, status__in=[Status.SENDING, Status.CHECKING], attempts=op.attempts
    ).update(
        status=Status.CHECKING,
        lease_until=Now(),
        last_error="Gandi's answer was lost; the portal is checking what Gandi did. If Gandi "
        "did nothing, the portal sends the request again by itself; you need not do anything.",
        error_detail=exc.support_text(),
        next_poll_at=now + timedelta(seconds=2),
    )
    if checking:  # else another worker holds the row now, and its own call decides
        tasks.recover_operation.apply_async((op.id,), countdown=2)


def adopt(op: Operation, gandi_op: OperationInfo, *, late: bool = False) -> bool | None:
    """Store Gandi's operation id at once, then let polling follow it.

    Only onto the claim `op` was read with (`attempts`). `late`: the claim was taken over,
    but the row has not reached Gandi since (queued again, being checked, or a send not
    answered yet): the late answer is adopted and stops any other send at its fence.
    True when adopted, False when the row had moved on, None when another row holds this
    Gandi operation already (the database allows one row per Gandi operation)."""
    from sites_app.services import polling

    now = timezone.now()
    params = dict(op.params)
    if gandi_op.site_id:
        params["gandi_site_id"] = gandi_op.site_id
    try:
        with transaction.atomic():
            if late:
                rows = Operation.objects.filter(
                    pk=op.pk,
                    status__in=[Status.QUEUED, Status.SENDING, Status.CHECKING],
                    gandi_operation_id__isnull=True,
                )
            else:
                rows = Operation.objects.filter(
                    pk=op.pk, status__in=[Status.SENDING, Status.CHECKING], attempts=op.attempts
                )
            updated = rows.update(
                status=Status.IN_PROGRESS,
                gandi_operation_id=gandi_op.id,
                gandi_step=gandi_op.step,
                gandi_eta=gandi_op.eta,
                submitted_at=now,
                next_poll_at=now + timedelta(seconds=polling.next_poll_delay(0, gandi_op.eta)),
                lease_until=None,
                last_error="",
                params=params,
            )
    except IntegrityError:
        log.info("operation %s: Gandi operation %s is another row's", op.pk, gandi_op.id)
        return None
    if not updated:
        return False
    if op.site_id and op.kind in SITE_STATE_WHILE:
        Site.objects.filter(pk=op.site_id).update(state=SITE_STATE_WHILE[op.kind])
    op.refresh_from_db()
    polling.apply_operation_info(op, gandi_op)
    polling.schedule_poll(op.account_id, polling.next_poll_delay(0, gandi_op.eta))
    return True


def finish(
    op: Operation,
    status: str,
    message: str = "",
    *,
    expected: str | tuple[str, ...],
    detail: str = "",
    retry_safe: bool = False,
    step: str | None = None,
    where: dict | None = None,
) -> bool:
    """Put the row in a final state if it is still in the `expected` status(es), and audit.

    The condition is in the UPDATE itself: a row another process moved on since we read it
    (a worker claimed it, a poll finished it) is left alone, and False says so. `where` adds
    conditions, such as the claim (`attempts`) a worker holds."""
    if isinstance(expected, str):
        expected = (expected,)
    now = timezone.now()
    changes = {
        "status": status,
        "finished_at": now,
        "next_poll_at": None,
        "last_error": message,
        "retry_safe": retry_safe,
    }
    if detail:
        changes["error_detail"] = detail
    if step is not None:
        changes["gandi_step"] = step
    updated = Operation.objects.filter(pk=op.pk, status__in=expected, **(where or {})).update(
        **changes
    )
    if not updated:
        return False
    op.refresh_from_db()
    outcome = AuditEvent.Outcome.SUCCESS if status == Status.DONE else AuditEvent.Outcome.FAILURE
    audit.record(
        audit_action(op.kind),
        actor=op.requested_by,
        team=op.account.team,
        obj=op,
        outcome=outcome,
        status=status,
        gandi_operation_id=op.gandi_operation_id,
        message=message,
    )
    log.info("operation %s (%s) ended: %s %s", op.pk, op.kind, status, message)
    notifications.operation_ended(op.pk)
    return True


# Cancel and retry live in services/cancel.py; their names stay importable from here.
from sites_app.services.cancel import request_cancel, retry_operation, send_cancel  # noqa: E402

__all__ = ["request_cancel", "retry_operation", "send_cancel"]

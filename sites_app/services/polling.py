"""Following operations at Gandi: batched, adaptive polls, and the reconciler that bounds recovery.

One `operation.list` call per account covers all its in-flight operations. Polls are fast at
first and slower later. The beat reconciler re-enqueues whatever a lost message or a killed
worker left behind, so an operation is delayed, never lost, and every row reaches a final
state or "needs attention" by its deadline.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Now
from django.utils import timezone
from redis.exceptions import LockError

from sites_app.crypto import SecretUnreadable
from sites_app.gandi.client import OperationInfo
from sites_app.gandi.errors import GandiError
from sites_app.gandi.ratelimit import shared_redis
from sites_app.gandi.records import RUNNING_STEPS
from sites_app.models import Operation, OperationKind, OperationStatus
from sites_app.services import leases
from sites_app.services import sites as site_service
from sites_app.services.operations import LOOKUP_SKEW, finish, max_countdown

log = logging.getLogger(__name__)
Status = OperationStatus

# (operation age in seconds up to which, poll interval in seconds)
POLL_SCHEDULE = [(20, 1.0), (120, 3.0), (600, 10.0)]
SLOW_POLL = 30.0
AFTER_A_FAILED_POLL = 5.0
# Gandi's eta is in whole seconds, rounded up: poll just after it, never sooner than this.
ETA_MARGIN = 0.2
SOONEST_POLL = 0.25
# A message this late is presumed lost; the reconciler sends another.
OVERDUE = timedelta(seconds=15)
# A poll this late was lost with its worker (or its lock's holder died): poll again.
POLL_OVERDUE = timedelta(seconds=5)
MAX_RESEND_GAP = timedelta(minutes=5)
POLL_LOCK_SECONDS: float | None = None  # None: leases.LEASE_SECONDS, renewed while polling
UPDATE_BATCH = 100  # rows per UPDATE ... CASE of a poll cycle (SQLite: < 999 parameters)


def poll_interval(age_seconds: float) -> float:
    for limit, interval in POLL_SCHEDULE:
        if age_seconds < limit:
            return interval
    return SLOW_POLL


def next_poll_delay(age_seconds: float, eta: int | None) -> float:
    """When to look again: when Gandi's `eta` says it should be done, if that comes before the
    regular interval for an operation of this age (never more often than SOONEST_POLL)."""
    interval = poll_interval(age_seconds)
    if eta and eta > 0:
        interval = min(interval, eta + ETA_MARGIN)
    return max(SOONEST_POLL, interval)


def _scheduled_key(account_id: int) -> str:
    return f"gandi-poll-due:{account_id}"


def schedule_poll(account_id: int, delay: float, *, force: bool = False) -> None:
    """Queue a poll of this account unless one is already due at about that time."""
    from sites_app import tasks

    delay = max(0.1, min(delay, max_countdown()))
    now = time.time()
    due = now + delay
    key = _scheduled_key(account_id)
    scheduled = cache.get(key)
    # A poll due in the past has run, or was lost with its worker: it no longer counts.
    if not force and scheduled is not None and now <= scheduled <= due + 0.5:
        return
    cache.set(key, due, timeout=int(delay) + 30)
    tasks.poll_account_operations.apply_async((account_id,), countdown=delay)


def poll_lock_seconds() -> float:
    """A short lease, renewed while the poll runs: a killed poller frees the account quickly."""
    return POLL_LOCK_SECONDS or leases.LEASE_SECONDS


def poll_lock_name(account_id: int) -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:gandi-poll-lock:{account_id}"


def poll_account_operations(account_id: int) -> None:
    """One operation.list call for every in-flight operation of the account."""
    # redis-py's Lock releases only with its own token: a poll that outlived its lock cannot
    # free the lock of the worker polling after it.
    lock = shared_redis().lock(
        poll_lock_name(account_id),
        timeout=poll_lock_seconds(),
        blocking=False,
        thread_local=False,  # renewed from the heartbeat thread
    )
    if not lock.acquire():
        return  # another worker is polling this account and will schedule the next poll
    # If the poll fails half-way (the error still reaches Celery's log), the operations are
    # still in flight: keep following them rather than wait for the reconciler.
    next_delay: float | None = AFTER_A_FAILED_POLL
    try:
        cache.delete(_scheduled_key(account_id))
        with leases.renewed(leases.renew_redis_lock(lock), every=poll_lock_seconds() / 3):
            next_delay = _poll(account_id)
    finally:
        try:
            lock.release()
        except LockError:
            log.warning("poll of account %s outlasted its lock", account_id)
        if next_delay is not None:
            schedule_poll(account_id, next_delay)


def _in_flight_at_gandi(account_id: int):
    return Operation.objects.select_related("account", "site").filter(
        account_id=account_id, status=Status.IN_PROGRESS, gandi_operation_id__isnull=False
    )


def _poll(account_id: int) -> float | None:
    ops = list(_in_flight_at_gandi(account_id))
    if not ops:
        return None
    account = ops[0].account
    try:
        infos = account.client().operations_by_id([op.gandi_operation_id for op in ops])
    except (GandiError, SecretUnreadable) as exc:
        message = exc.message
        log.warning("poll of account %s failed: %s", account_id, message)
        for op in ops:
            _check_deadline(op, f"The portal could not reach Gandi to follow it: {message}")
        return 10.0
    now = timezone.now()
    still_running: dict[int, tuple[OperationInfo, object]] = {}
    for op in ops:
        info = infos.get(op.gandi_operation_id)
        if info is None:
            finish(
                op,
                Status.NEEDS_ATTENTION,
                "Gandi no longer reports this operation. Check the site, then sync.",
                expected=Status.IN_PROGRESS,
                detail=f"operation {op.gandi_operation_id} missing from operation.list",
            )
        elif info.step in RUNNING_STEPS:
            still_running[op.pk] = (info, now + timedelta(seconds=_delay_for(op, info, now)))
            _check_deadline(op, f"Gandi has not finished it in time (still at step {info.step}).")
        else:
            apply_operation_info(op, info)
    moved = {
        op.pk
        for op in ops
        if op.pk in still_running and still_running[op.pk][0].step != op.gandi_step
    }
    _record_poll([op.pk for op in ops], still_running, moved=moved)
    due = [when for _info, when in still_running.values()]
    return max(0.1, (min(due) - now).total_seconds()) if due else None


def _delay_for(op: Operation, info: OperationInfo, now) -> float:
    age = (now - (op.submitted_at or op.created_at)).total_seconds()
    return next_poll_delay(age, info.eta)


def _record_poll(
    polled: list[int],
    running: dict[int, tuple[OperationInfo, object]],
    *,
    moved: frozenset[int] | set[int] = frozenset(),
) -> None:
    """The poll's writes in one UPDATE per batch, whatever the number of operations.

    Only rows still in progress are written: one a cancel or another poll ended meanwhile
    keeps its final state. Rows whose step `moved` get a new `updated_at`, so a page that
    asks what changed since it last looked sees them."""
    now = timezone.now()
    for start in range(0, len(polled), UPDATE_BATCH):
        batch = polled[start : start + UPDATE_BATCH]
        changes: dict = {"polls": F("polls") + 1}
        if moved_here := [pk for pk in batch if pk in moved]:
            changes["updated_at"] = Case(
                When(pk__in=moved_here, then=Value(now)),
                default=F("updated_at"),
                output_field=Operation._meta.get_field("updated_at"),
            )
        moving = [pk for pk in batch if pk in running]
        if moving:
            for name, value_of in (
                ("gandi_step", lambda info, when: info.step),
                ("gandi_eta", lambda info, when: info.eta),
                ("next_poll_at", lambda info, when: when),
            ):
                changes[name] = Case(
                    *[When(pk=pk, then=Value(value_of(*running[pk]))) for pk in moving],
                    default=F(name),
                    output_field=Operation._meta.get_field(name),
                )
        Operation.objects.filter(pk__in=batch, status=Status.IN_PROGRESS).update(**changes)


def apply_operation_info(op: Operation, info: OperationInfo) -> None:
    """Move the row along with what Gandi says about its operation."""
    step = info.step
    if step == "DONE":
        _done(op, info)
    elif step == "ERROR":
        reason = info.last_error or "no reason given"
        finish(
            op,
            Status.FAILED,
            f"Gandi could not complete it: {reason}",
            expected=Status.IN_PROGRESS,
            detail=f"operation {info.id} ended in step ERROR: {reason}",
            retry_safe=True,
            step=step,
        )
        _refresh_quietly(op)
    elif step == "SUPPORT":
        finish(
            op,
            Status.NEEDS_ATTENTION,
            "Gandi stopped this operation for its support team "
            f"to look at. Contact Gandi support and quote operation {info.id}.",
            expected=Status.IN_PROGRESS,
            detail=f"operation {info.id} in step SUPPORT: {info.last_error or ''}",
            step=step,
        )
    elif step == "CANCEL":
        finish(
            op,
            Status.CANCELLED,
            "Cancelled at Gandi; nothing was changed.",
            expected=Status.IN_PROGRESS,
            retry_safe=True,
            step=step,
        )
        _refresh_quietly(op)
    elif step in RUNNING_STEPS:
        now = timezone.now()
        Operation.objects.filter(pk=op.pk, status=Status.IN_PROGRESS).update(
            gandi_step=step,
            gandi_eta=info.eta,
            next_poll_at=now + timedelta(seconds=_delay_for(op, info, now)),
        )
        _check_deadline(op, f"Gandi has not finished it in time (still at step {step}).")
    else:
        finish(
            op,
            Status.NEEDS_ATTENTION,
            f"Gandi reports a step the portal does not know "
            f"(“{step}”). Check with Gandi before doing anything else on this site.",
            expected=Status.IN_PROGRESS,
            detail=f"operation {info.id} in unknown step {step!r}",
            step=step,
        )


def _check_deadline(op: Operation, message: str) -> None:
    if timezone.now() >= op.deadline:
        finish(op, Status.NEEDS_ATTENTION, message, expected=Status.IN_PROGRESS)


def _done(op: Operation, info: OperationInfo) -> None:
    account = op.account
    site = op.site
    try:
        client = account.client()
        if op.kind == OperationKind.CREATE:
            site_id = info.site_id or op.params.get("gandi_site_id")
            if not site_id:
                # Never by name alone: two creates may share a name, never a vhost.
                summary = client.find_created_site(
                    name=op.params["name"],
                    vhosts=op.params.get("vhosts", []),
                    since=(op.claimed_at or op.created_at) - LOOKUP_SKEW,
                )
                site_id = summary.id if summary else None
            if site_id:
                site = site_service.apply_site_info(account, client.site_info(site_id))
        elif op.kind == OperationKind.DELETE and site is not None:
            site_service.mark_removed(site)
        elif site is not None:
            site = site_service.refresh_site(site)
    except (GandiError, SecretUnreadable) as exc:
        # The operation is done at Gandi whatever happens here; the next sync fills the gaps.
        log.warning("operation %s done, but refreshing its site failed: %s", op.pk, exc)
    if site is not None and op.kind == OperationKind.CREATE:
        site_service.mark_gandi_managed(site, list(op.params.get("vhosts", [])))
    elif site is not None and op.kind == OperationKind.UPDATE_VHOSTS:
        site_service.mark_gandi_managed(site, list(op.params.get("added_vhosts", [])))
    if site is not None and op.site_id != getattr(site, "pk", None):
        try:
            with transaction.atomic():
                Operation.objects.filter(pk=op.pk).update(site=site, site_name=site.name)
        except IntegrityError:
            # Another create row holds this site (one created site per row): leave ours
            # unlinked rather than show two requests' history on one site.
            log.warning("operation %s: site %s is another create's", op.pk, site.pk)
    finish(op, Status.DONE, expected=Status.IN_PROGRESS, step="DONE")


def _refresh_quietly(op: Operation) -> None:
    if op.site is None or op.site.is_removed:
        return
    try:
        site_service.refresh_site(op.site)
    except (GandiError, SecretUnreadable) as exc:
        log.warning("refreshing site %s after operation %s failed: %s", op.site_id, op.pk, exc)


# --- the beat reconciler -----------------------------------------------------------


def reconcile_operations() -> dict[str, int]:
    """Re-enqueue what was lost, look into unanswered sends, and enforce deadlines."""
    from sites_app import tasks

    now = timezone.now()
    counts = {"resent": 0, "checking": 0, "polls": 0, "expired": 0, "cancels": 0}

    # Nothing was sent for these rows, so failing them at the deadline is safe.
    for op in Operation.objects.filter(status=Status.QUEUED, deadline__lte=now):
        if finish(
            op,
            Status.FAILED,
            "It could not be sent to Gandi before its deadline; nothing was changed.",
            expected=Status.QUEUED,
            retry_safe=True,
        ):
            counts["expired"] += 1

    # A queued row whose message should have been handled by now: send another message.
    # The re-sent message is due now (next_poll_at), so the next tick does not send a third;
    # the wait before another grows with the row's age, so a backlog is not multiplied.
    lost = Operation.objects.filter(status=Status.QUEUED).filter(
        Q(next_poll_at__isnull=True, created_at__lt=now - OVERDUE)
        | Q(next_poll_at__lt=now - OVERDUE)
    )
    for op_id, created_at, due in lost.values_list("pk", "created_at", "next_poll_at"):
        due = due or created_at
        if now - due < min(MAX_RESEND_GAP, max(OVERDUE, due - created_at)):
            continue
        if Operation.objects.filter(pk=op_id, status=Status.QUEUED).update(next_poll_at=now):
            tasks.submit_operation.delay(op_id)
            counts["resent"] += 1

    # Claimed, and the claim's lease has lapsed: the worker died mid-call (a live one renews
    # it every few seconds). Find out what Gandi did.
    # (A row claimed by a worker of an older release has no lease: the time limit bounds it.)
    unleased = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    Operation.objects.filter(status=Status.SENDING).filter(
        # The database's clock, as for every lease write: machines' clocks may disagree.
        Q(lease_until__lt=Now()) | Q(lease_until__isnull=True, claimed_at__lt=unleased)
    ).update(status=Status.CHECKING, next_poll_at=now)
    for op in Operation.objects.filter(status=Status.CHECKING):
        if op.next_poll_at is None or op.next_poll_at <= now:
            if now >= op.deadline + timedelta(minutes=5):
                finish(
                    op,
                    Status.NEEDS_ATTENTION,
                    "The portal could not find out what Gandi "
                    "did with this request. Check the site before retrying.",
                    expected=Status.CHECKING,
                )
                counts["expired"] += 1
                continue
            marked = Operation.objects.filter(pk=op.pk, status=Status.CHECKING).update(
                next_poll_at=now + OVERDUE
            )
            if marked:
                tasks.recover_operation.delay(op.pk)
                counts["checking"] += 1

    # A cancellation asked for, whose message never reached a worker (the broker was down).
    unsent_cancels = Operation.objects.filter(
        status=Status.IN_PROGRESS,
        cancel_requested_at__lt=now - OVERDUE,
        cancel_sent_at__isnull=True,
    ).values_list("pk", flat=True)
    for op_id in unsent_cancels:
        tasks.cancel_operation.delay(op_id)
        counts["cancels"] += 1

    # Polls that should have happened by now, and rows past their deadline.
    overdue_accounts = set(
        Operation.objects.filter(status=Status.IN_PROGRESS)
        .filter(
            Q(next_poll_at__lt=now - POLL_OVERDUE)
            | Q(next_poll_at__isnull=True)
            | Q(deadline__lte=now)
        )
        .values_list("account_id", flat=True)
    )
    for account_id in overdue_accounts:
        schedule_poll(account_id, 0.1, force=True)
        counts["polls"] += 1
    # If polling itself keeps failing, the deadline still holds.
    for op in Operation.objects.filter(
        status=Status.IN_PROGRESS, deadline__lte=now - timedelta(minutes=2)
    ):
        if finish(
            op,
            Status.NEEDS_ATTENTION,
            "Gandi has not finished it in time, and the "
            "portal could not follow it. Check the site at Gandi.",
            expected=Status.IN_PROGRESS,
        ):
            counts["expired"] += 1
    return counts

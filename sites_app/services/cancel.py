"""Cancel and retry: one operation.cancel call per request to cancel, and a retry as a new
row of the same request where Gandi certainly did not act."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from sites_app import audit
from sites_app.crypto import SecretUnreadable
from sites_app.gandi.errors import (
    AmbiguousError,
    NotCancellableError,
    PermanentError,
    TransientError,
)
from sites_app.models import Operation, OperationStatus
from sites_app.models.audit import AuditEvent
from sites_app.services import notifications
from sites_app.services.enqueue import CANCEL_QUEUE_DOWN_NOTE, enqueue_on_commit
from sites_app.services.operations import OperationRefused, request_operation

Status = OperationStatus


def request_cancel(op: Operation, user, request=None) -> str:
    """Cancel locally if not sent yet, else queue one operation.cancel call."""
    from sites_app import tasks

    now = timezone.now()
    with transaction.atomic():
        if op.status == Status.QUEUED:
            cancelled = Operation.objects.filter(pk=op.pk, status=Status.QUEUED).update(
                status=Status.CANCELLED,
                finished_at=now,
                cancel_requested_at=now,
                retry_safe=True,
                last_error="Cancelled before it was sent to Gandi.",
            )
            if cancelled:
                audit.record(
                    "site.cancel",
                    actor=user,
                    team=op.account.team,
                    obj=op,
                    request=request,
                    before_sending=True,
                )
                notifications.operation_ended(op.pk)
                return "Cancelled before anything was sent to Gandi."
        op.refresh_from_db()
        if not op.can_cancel:
            raise OperationRefused(
                "This operation can no longer be cancelled: Gandi only cancels while it is "
                "billing or waiting."
            )
        marked = Operation.objects.filter(pk=op.pk, cancel_requested_at__isnull=True).update(
            cancel_requested_at=now
        )
        if not marked:
            return "A cancellation was already requested."
        audit.record(
            "site.cancel",
            actor=user,
            team=op.account.team,
            obj=op,
            request=request,
            outcome=AuditEvent.Outcome.REQUESTED,
        )
        enqueue_on_commit(tasks.cancel_operation, op.id, CANCEL_QUEUE_DOWN_NOTE)
    return "Cancellation requested; Gandi will confirm it in a moment."


def send_cancel(op_id: int) -> None:
    """One operation.cancel call per request to cancel."""
    from sites_app.services import polling

    claimed = Operation.objects.filter(
        pk=op_id,
        cancel_requested_at__isnull=False,
        cancel_sent_at__isnull=True,
        status=Status.IN_PROGRESS,
    ).update(cancel_sent_at=timezone.now())
    if not claimed:
        return
    op = Operation.objects.select_related("account").get(pk=op_id)
    # A poll may end the row meanwhile: the notes below only apply to a row still running.
    try:
        op.account.client().operation_cancel(op.gandi_operation_id)
    except NotCancellableError as exc:
        Operation.objects.filter(pk=op.pk, status=Status.IN_PROGRESS).update(
            last_error=f"Too late to cancel: {exc.message}", error_detail=exc.support_text()
        )
    except AmbiguousError:
        pass  # the next poll shows whether Gandi cancelled it
    except (TransientError, SecretUnreadable) as exc:
        # Not acted on: let the person ask again.
        Operation.objects.filter(pk=op.pk, status=Status.IN_PROGRESS).update(
            cancel_requested_at=None,
            cancel_sent_at=None,
            last_error=f"The cancellation could not be sent: {exc.message} Try again.",
        )
    except PermanentError as exc:
        Operation.objects.filter(pk=op.pk, status=Status.IN_PROGRESS).update(
            last_error=f"Gandi refused the cancellation: {exc.message}",
            error_detail=exc.support_text(),
        )
    polling.schedule_poll(op.account_id, 0.2, force=True)


def retry_operation(op: Operation, user, request=None) -> Operation:
    """A new row with the same request, for a failure where Gandi certainly did not act."""
    with transaction.atomic():
        # The lock makes two retries sent at once (two tabs, two people) queue one behind
        # the other; the second then sees the first's row and is refused.
        op = Operation.objects.select_for_update().get(pk=op.pk)
        if (earlier := op.retried_as) is not None:
            raise OperationRefused(f"This operation was already retried as #{earlier.pk}.")
        if not op.can_retry:
            raise OperationRefused("This operation cannot be retried safely.")
        # One key per failed row, whatever tab the retry came from: even where the row lock
        # is not enforced (SQLite), the unique key lets only one retry row exist.
        return _send_again(op, user, f"retry-{op.pk}", request)


def _send_again(op: Operation, user, idempotency_key: str, request) -> Operation:
    new, _ = request_operation(
        account=op.account,
        kind=op.kind,
        user=user,
        params={k: v for k, v in op.params.items() if k not in ("gandi_site_id", "sent_vhosts")},
        idempotency_key=idempotency_key,
        site=op.site,
        request=request,
        retry_of=op,
    )
    return new

"""Queueing a task once its row is committed, whether or not the broker answers."""

from __future__ import annotations

import logging

from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import RedisError

from sites_app.models import Operation

log = logging.getLogger(__name__)


QUEUE_DOWN_NOTE = (
    "The queue of Gandi calls cannot be reached right now. The request is saved and will be "
    "sent as soon as the queue is back; nothing was sent to Gandi yet."
)


CANCEL_QUEUE_DOWN_NOTE = (
    "The queue of Gandi calls cannot be reached right now. The cancellation is saved and "
    "will be sent as soon as the queue is back."
)


def enqueue_on_commit(task, op_id: int, note: str = QUEUE_DOWN_NOTE) -> None:
    """Queue `task(op_id)` once the row is committed; a broker that is down is not an error.

    The row is what counts (ARCHITECTURE §5.2): if the message cannot be sent, the reconciler
    sends one when the broker is back, so the person gets the same answer as any submit."""

    def send() -> None:
        try:
            task.delay(op_id)
        except (KombuOperationalError, RedisError, OSError) as exc:
            log.warning("operation %s saved, not queued (broker unreachable): %s", op_id, exc)
            Operation.objects.filter(pk=op_id, last_error="").update(last_error=note)

    transaction.on_commit(send)

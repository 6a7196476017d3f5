"""A task's soft time limit that fires inside a Gandi call: a read lets the task's own handler
run; a mutation is a lost reply (its row goes to recovery at once). The way Celery's prefork
pool delivers it is a signal whose handler raises SoftTimeLimitExceeded: done here the same."""

from __future__ import annotations

import contextlib
import signal

import pytest
from celery.exceptions import SoftTimeLimitExceeded

from sites_app.models import OperationStatus
from sites_app.services import operations
from tests.lifecycle.conftest import MANAGED_DOMAIN
from tests.lifecycle.test_operation_service import request_create

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def soft_time_limit(seconds: float):
    def expire(signum, frame):
        raise SoftTimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_a_time_limit_during_a_read_reaches_the_task_and_carries_no_key(account, simulator):
    client = account.client()
    simulator.set_faults(latency=1500)
    with pytest.raises(SoftTimeLimitExceeded) as caught, soft_time_limit(0.3):
        client.site_count()  # before: swallowed as a lost reply and retried
    simulator.set_faults(latency=0)
    tb = caught.value.__traceback__
    while tb is not None:  # no frame left in the traceback saw the key or the request body
        for value in tb.tb_frame.f_locals.values():
            if isinstance(value, bytes | str):
                assert client._api_key not in (
                    value.decode("utf-8", "replace") if isinstance(value, bytes) else value
                )
        tb = tb.tb_next


def test_a_time_limit_during_a_send_is_a_lost_reply_checked_at_once(
    account, alice, enqueued, simulator
):
    op = request_create(account, alice, name="Limited", vhosts=[f"limited.{MANAGED_DOMAIN}"])
    simulator.set_faults(latency=1500)
    with soft_time_limit(0.5):
        operations.submit_operation(op.pk)
    simulator.set_faults(latency=0)
    op.refresh_from_db()
    assert op.status == OperationStatus.CHECKING  # looked for, never sent again blindly
    assert "checking what Gandi did" in op.last_error
    assert [e.task for e in enqueued][-1] == "sites_app.recover_operation"

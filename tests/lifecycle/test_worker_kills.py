"""`kill -9` of a REAL worker in the middle of a send or of a poll delays the operation by
seconds, not minutes: its lease lapses and beat's reconciler takes over (ARCHITECTURE §5.9).

Beat is played by this test: the reconciler runs every 5 s, as beat.py schedules it. The
figures printed are the recovery delays; the bounds asserted are generous (a loaded 2-core
machine) but far below the minutes a time-limit lock took.
"""

from __future__ import annotations

import time

import pytest

from sites_app.gandi.ratelimit import shared_redis
from sites_app.models import Operation, OperationStatus
from sites_app.services import polling
from tests.fixtures.celery_worker import wait_for
from tests.lifecycle.conftest import MANAGED_DOMAIN, gandi_operation_count
from tests.lifecycle.test_operation_service import request_create

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

BEAT_EVERY = 5.0  # sites_app/beat.py
WITHIN = 60.0  # a time-limit lock held these rows for about 150 to 185 s


@pytest.fixture
def worker(account, celery_worker_process):
    """A worker started after the account, so it inherits the simulator's settings."""
    return celery_worker_process


def beat_until(predicate, message: str) -> float:
    """Run the reconciler every BEAT_EVERY seconds until predicate(); the seconds it took."""
    started = time.monotonic()
    next_tick = started
    while not predicate():
        if time.monotonic() >= next_tick:
            polling.reconcile_operations()
            next_tick += BEAT_EVERY
        if time.monotonic() - started > WITHIN:
            pytest.fail(f"not recovered within {WITHIN:.0f} s: {message}")
        time.sleep(0.1)
    return time.monotonic() - started


def status_of(op: Operation) -> str:
    return Operation.objects.get(pk=op.pk).status


def test_a_worker_killed_mid_send_delays_the_create_by_seconds(
    alice, account, worker, simulator, capsys
):
    simulator.set_faults(latency=3000)  # the send hangs; Gandi acts 3 s in, whoever waits
    op = request_create(account, alice, name="Killed mid-send", vhosts=[f"ks.{MANAGED_DOMAIN}"])
    wait_for(lambda: status_of(op) == OperationStatus.SENDING, message="the send to start")
    time.sleep(0.5)
    worker.kill()
    simulator.set_faults(latency=0)
    worker.start()
    picked_up = beat_until(lambda: status_of(op) != OperationStatus.SENDING, "the lapsed send")
    done = picked_up + beat_until(lambda: status_of(op) == OperationStatus.DONE, "the create")
    with capsys.disabled():
        print(
            f"\n[figures] kill -9 mid-send: taken over after {picked_up:.1f} s, "
            f"DONE {done:.1f} s after the kill"
        )
    op.refresh_from_db()
    assert op.auto_resends == 0  # Gandi had acted: adopted, never sent again
    assert gandi_operation_count(account, "sitebuilder_create") == 1
    assert simulator.calls()["site.create"] == 1


def test_a_worker_killed_mid_poll_does_not_freeze_the_accounts_polling(
    alice, account, worker, simulator, capsys
):
    simulator.step_seconds = 2.0  # DONE at Gandi about 6 s after the send
    op = request_create(account, alice, name="Killed mid-poll", vhosts=[f"kp.{MANAGED_DOMAIN}"])
    wait_for(lambda: status_of(op) == OperationStatus.IN_PROGRESS, message="the create to be sent")
    simulator.set_faults(latency=4000)  # the next poll hangs inside operation.list
    time.sleep(1.5)  # polls come every second at first: one is now stuck in its call
    lock = polling.poll_lock_name(account.pk)
    wait_for(lambda: shared_redis().exists(lock), message="a poll holding the account's lock")
    worker.kill()  # dies holding the lock
    killed_at = time.monotonic()
    simulator.set_faults(latency=0)
    worker.start()
    beat_until(lambda: status_of(op) == OperationStatus.DONE, "polling of the account")
    op.refresh_from_db()
    gandi_done = (op.submitted_at.timestamp() + 3 * 2.0) - time.time() + time.monotonic()
    late = time.monotonic() - max(killed_at, gandi_done)
    with capsys.disabled():
        print(
            f"\n[figures] kill -9 mid-poll: DONE {time.monotonic() - killed_at:.1f} s after the "
            f"kill, {late:.1f} s after Gandi's own end"
        )
    assert gandi_operation_count(account, "sitebuilder_create") == 1

"""Short leases renewed while work runs: a dead worker's claim lapses in seconds.

A claim that lasts as long as Celery's time limit freezes work for minutes after a `kill -9`.
Instead a claim lasts `LEASE_SECONDS` and the worker holding it renews it every third of
that from a background thread while its task runs; when the worker dies, renewals stop and
the claim lapses quickly, so the reconciler (or the next poller) takes over.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta

from django.db import DatabaseError, connections
from django.db.models import F
from django.db.models.functions import Greatest, Now
from redis.exceptions import LockError, RedisError

log = logging.getLogger(__name__)

LEASE_SECONDS = 15.0


def lease_until(seconds: float | None = None):
    """The end of a lease `seconds` from now, by the database's clock: one clock for every
    worker and the reconciler, whatever each machine's own clock says."""
    return Now() + timedelta(seconds=seconds or LEASE_SECONDS)


def extended_lease(seconds: float | None = None):
    """A renewal that never shortens a longer lease (the one a send took for its call)."""
    return Greatest(F("lease_until"), lease_until(seconds))


@contextlib.contextmanager
def renewed(renew: Callable[[], bool], *, every: float | None = None) -> Iterator[None]:
    """Call `renew()` every `every` seconds (a third of the lease) while the block runs.

    `renew` returns False once the claim is lost (someone else took over): renewals stop.
    It runs in its own thread, with its own database connection, closed at the end."""
    stop = threading.Event()
    interval = every or LEASE_SECONDS / 3

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    if not renew():
                        return
                except (DatabaseError, RedisError, LockError) as exc:
                    # Keep trying: the lease lapses on its own if this goes on.
                    log.warning("could not renew a lease: %s", exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name="lease-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        # Not joined: a renewal stuck on a lock must not hold the task up; it ends by itself.


def renew_redis_lock(lock) -> Callable[[], bool]:
    """A `renew` for a redis-py Lock: resets its time to live; False once it is not ours."""

    def renew() -> bool:
        try:
            lock.reacquire()
        except LockError:
            return False
        return True

    return renew

"""The per-account poll lock: a poll that outlives its lock never frees the next poller's."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest

from sites_app.services import polling


def test_a_poll_that_outlived_its_lock_does_not_release_the_next_pollers_lock(monkeypatch):
    from sites_app.services import leases

    monkeypatch.setattr(polling, "POLL_LOCK_SECONDS", 1)
    # Renewals stalled (a frozen process): the lock lapses while the first poll still runs.
    monkeypatch.setattr(leases, "renewed", lambda *args, **kwargs: contextlib.nullcontext())
    started: list[int] = []
    second_is_polling = threading.Event()
    second_may_end = threading.Event()

    def fake_poll(account_id: int) -> None:
        started.append(account_id)
        if len(started) == 1:
            time.sleep(1.4)  # longer than the lock lasts
        elif len(started) == 2:
            second_is_polling.set()
            second_may_end.wait(10)
        return None

    monkeypatch.setattr(polling, "_poll", fake_poll)
    first = threading.Thread(target=polling.poll_account_operations, args=(4242,))
    first.start()
    time.sleep(1.15)  # the first poller's lock has expired; it is still polling
    second = threading.Thread(target=polling.poll_account_operations, args=(4242,))
    second.start()
    try:
        assert second_is_polling.wait(5), "the expired lock was not free for the next poller"
        first.join(5)
        polling.poll_account_operations(4242)  # a third poller while the second still polls
        assert len(started) == 2
    finally:
        second_may_end.set()
        second.join(5)
    assert polling.poll_account_operations(4242) is None
    assert len(started) == 3  # released by its owner, the lock is free again


def test_a_live_poll_longer_than_its_lease_keeps_the_account_to_itself(monkeypatch):
    monkeypatch.setattr(polling, "POLL_LOCK_SECONDS", 0.6)
    started: list[int] = []
    first_may_end = threading.Event()

    def slow_poll(account_id: int) -> None:
        started.append(account_id)
        if len(started) == 1:
            first_may_end.wait(10)
        return None

    monkeypatch.setattr(polling, "_poll", slow_poll)
    first = threading.Thread(target=polling.poll_account_operations, args=(4343,))
    first.start()
    try:
        time.sleep(1.5)  # the lease, renewed every 0.2 s, has outlived its 0.6 s twice
        polling.poll_account_operations(4343)
        assert len(started) == 1  # no second poller beside a live one
    finally:
        first_may_end.set()
        first.join(5)
    polling.poll_account_operations(4343)
    assert len(started) == 2


def test_a_poller_that_died_holding_the_lock_frees_the_account_within_its_lease(monkeypatch):
    from sites_app.services import leases

    monkeypatch.setattr(leases, "LEASE_SECONDS", 1.0)
    polled: list[int] = []
    monkeypatch.setattr(polling, "_poll", lambda account_id: polled.append(account_id))
    # What a worker killed mid-poll leaves behind: its lock, never released, never renewed.
    dead = polling.shared_redis().lock(
        polling.poll_lock_name(4444), timeout=polling.poll_lock_seconds()
    )
    assert dead.acquire(blocking=False)
    polling.poll_account_operations(4444)
    assert polled == []  # the lock still counts for a moment
    time.sleep(1.2)
    polling.poll_account_operations(4444)
    assert polled == [4444]


def test_a_poll_that_fails_half_way_still_schedules_the_next_one(account, enqueued, monkeypatch):
    from sites_app.services import polling

    def broken_poll(account_id):
        raise RuntimeError("the database went away mid-poll")

    monkeypatch.setattr(polling, "_poll", broken_poll)
    with pytest.raises(RuntimeError):
        polling.poll_account_operations(account.pk)
    [next_poll] = [e for e in enqueued if e.task == "sites_app.poll_account_operations"]
    assert next_poll.args == (account.pk,)
    assert next_poll.kwargs["countdown"] == polling.AFTER_A_FAILED_POLL


def test_a_poll_due_in_the_past_does_not_hold_back_a_new_one(account, enqueued):
    from django.core.cache import cache

    from sites_app.services import polling

    # Left by a poll that already ran, or that died with its worker.
    cache.set(polling._scheduled_key(account.pk), time.time() - 5, timeout=60)
    polling.schedule_poll(account.pk, 1.0)
    assert [e.task for e in enqueued] == ["sites_app.poll_account_operations"]

    polling.schedule_poll(account.pk, 3.0)  # one is due sooner: no second message
    assert len(enqueued) == 1

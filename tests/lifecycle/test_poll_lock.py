"""The per-account poll lock: a poll that outlives its lock never frees the next poller's."""

from __future__ import annotations

import threading
import time

import pytest

from sites_app.services import polling


def test_a_poll_that_outlived_its_lock_does_not_release_the_next_pollers_lock(monkeypatch):
    monkeypatch.setattr(polling, "POLL_LOCK_SECONDS", 1)
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

"""Invariant 4: Redis restarting empty (queued messages, countdowns, locks all gone) delays
operations, never loses them: the reconciler (as beat runs it) brings every row to its end."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from portal import private_redis
from portal.celery import app
from sites_app.models import Operation, OperationStatus
from sites_app.services import polling
from tests.fixtures.celery_worker import WorkerProcess, wait_for
from tests.lifecycle.test_operation_service import request_create


def send_to(url: str, enqueued: list) -> None:
    """Hand the messages the code under test sent to this test's own Redis."""
    with app.connection_for_write(url) as connection:
        for message in enqueued:
            app.send_task(
                message.task,
                args=message.args,
                countdown=message.kwargs.get("countdown"),
                connection=connection,
            )
    enqueued.clear()


@pytest.fixture
def own_redis(tmp_path, settings, monkeypatch):
    """A Redis for this test alone, that the test may stop and start again empty."""
    port = private_redis.free_port()
    url = f"redis://127.0.0.1:{port}/0"
    workdir = tmp_path / "redis"
    server = {"process": private_redis.start(port, workdir)}
    settings.REDIS_URL = url
    settings.CACHES = {alias: {**conf, "LOCATION": url} for alias, conf in settings.CACHES.items()}
    monkeypatch.setenv("REDIS_URL", url)  # for the worker process

    def restart_empty() -> None:
        server["process"].terminate()
        server["process"].wait(10)
        server["process"] = private_redis.start(port, workdir)

    yield url, restart_empty
    server["process"].terminate()
    server["process"].wait(10)


@pytest.mark.django_db(transaction=True)
def test_work_queued_and_in_flight_when_redis_restarts_empty_still_finishes(
    account, alice, simulator, enqueued, own_redis, tmp_path
):
    url, restart_empty = own_redis
    simulator.step_seconds = 1.0  # long enough to be in flight when Redis goes
    worker = WorkerProcess(tmp_path / "worker.log").start()
    try:
        in_flight = request_create(account, alice, name="In flight", key="redis-restart-1")
        send_to(url, enqueued)
        wait_for(
            lambda: Operation.objects.get(pk=in_flight.pk).status == OperationStatus.IN_PROGRESS,
            message="the first operation to be sent to Gandi",
        )
        queued = request_create(
            account, alice, name="Queued", key="redis-restart-2", vhosts=["two.managed.example"]
        )
        enqueued.clear()  # its message is lost with Redis

        restart_empty()  # every message, countdown, lock and cache entry is gone
        # kombu 5.7 cannot close its channel once Redis is gone and the worker exits with
        # "Unrecoverable error" (kombu#582-like); in production the process supervisor starts
        # it again, as here.
        time.sleep(1.0)
        if worker.process.poll() is not None:
            worker.start()

        # Beat's next ticks, a little later: both rows are overdue by then.
        a_minute_ago = timezone.now() - timedelta(minutes=1)
        Operation.objects.filter(pk=queued.pk).update(created_at=a_minute_ago)
        Operation.objects.filter(pk=in_flight.pk).update(next_poll_at=a_minute_ago)
        counts = polling.reconcile_operations()
        assert counts["resent"] == 1
        assert counts["polls"] == 1
        send_to(url, enqueued)

        ticks = {"next": time.monotonic() + 5.0}

        def both_done():
            # As in production: the supervisor restarts a worker that exited (kombu's exit
            # can come a while after Redis went), and beat keeps ticking every 5 s.
            if worker.process.poll() is not None:
                worker.start()
            if time.monotonic() >= ticks["next"]:
                polling.reconcile_operations()
                send_to(url, enqueued)
                ticks["next"] = time.monotonic() + 5.0
            statuses = set(
                Operation.objects.filter(pk__in=[in_flight.pk, queued.pk]).values_list(
                    "status", flat=True
                )
            )
            return statuses == {OperationStatus.DONE}

        wait_for(both_done, timeout=90, message=f"both rows DONE\n{worker.log()}")
        assert simulator.calls()["site.create"] == 2  # each sent once
    finally:
        worker.stop()

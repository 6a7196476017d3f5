"""Submitting while Redis (the broker) is down answers like any submit: the row is saved, the
page says the request is queued, and the reconciler sends it once Redis is back. No 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from django.urls import reverse
from django.utils import timezone

from portal import private_redis
from portal.celery import app
from sites_app.models import Operation, OperationStatus
from sites_app.services import polling
from tests.lifecycle.conftest import (
    MANAGED_DOMAIN,
    confirmation_data,
    gandi_operation_count,
    run_to_the_end,
)

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit runs in the request, as live


@pytest.fixture
def stoppable_redis(tmp_path, settings, monkeypatch):
    """A Redis of this test's own, used as broker, cache and limiter, that it may stop."""
    port = private_redis.free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = {"process": private_redis.start(port, tmp_path / "redis")}
    settings.REDIS_URL = url
    settings.CACHES = {alias: {**conf, "LOCATION": url} for alias, conf in settings.CACHES.items()}
    monkeypatch.setattr(app.conf, "broker_url", url)
    # Celery keeps its broker connections in pools: start from fresh ones, on this URL.
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)

    def stop() -> None:
        server["process"].terminate()
        server["process"].wait(10)

    def start() -> None:
        server["process"] = private_redis.start(port, tmp_path / "redis")

    yield url, stop, start
    stop()
    if app._pool is not None:
        app._pool.force_close_all()


def test_a_create_submitted_while_redis_is_down_is_saved_queued_and_sent_when_it_is_back(
    client_for, alice, account, simulator, stoppable_redis
):
    url, stop_redis, start_redis = stoppable_redis
    client = client_for(alice)
    form = client.get(reverse("site_create")).context["form"]
    stop_redis()
    checked = client.post(
        reverse("site_create"),
        {
            "account": str(account.pk),
            "name": "Queued shop",
            "provider": "basekit_whitelabel",
            "package": "personal",
            "duration": "1m",
            "vhosts": f"queued.{MANAGED_DOMAIN}",
            "request_key": form["request_key"].value(),
        },
    )
    assert checked.status_code == 200  # the price to confirm, read from Gandi without Redis
    response = client.post(
        reverse("site_create"), confirmation_data(checked.context["confirm"]), follow=True
    )
    assert response.status_code == 200
    op = Operation.objects.get(site_name="Queued shop")
    assert op.status == OperationStatus.QUEUED
    page = response.content.decode()
    assert "Waiting to be sent" in page
    assert "The request is saved and will be sent as soon as the queue is back" in page
    assert gandi_operation_count(account) == 0

    start_redis()  # back, and empty
    Operation.objects.filter(pk=op.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    assert polling.reconcile_operations()["resent"] == 1  # beat's next tick
    queue = app.conf.task_default_queue
    assert redis.Redis.from_url(url).llen(queue) == 1  # the message is on the broker
    op = run_to_the_end(op)  # what the worker does with it
    assert op.status == OperationStatus.DONE
    assert op.last_error == ""
    assert gandi_operation_count(account, "sitebuilder_create") == 1


def test_a_cancel_asked_while_redis_is_down_is_sent_when_it_is_back(
    client_for, alice, account, simulator, stoppable_redis
):
    from sites_app.services import operations
    from tests.lifecycle.test_operation_service import request_create

    url, stop_redis, start_redis = stoppable_redis
    simulator.step_seconds = 60  # it stays in BILL, where Gandi can still cancel it
    op = request_create(account, alice, name="Cancel later", vhosts=[f"cl.{MANAGED_DOMAIN}"])
    operations.submit_operation(op.pk)
    stop_redis()
    response = client_for(alice).post(reverse("operation_cancel", args=[op.pk]), follow=True)
    assert response.status_code == 200
    assert "The cancellation is saved and will be sent" in response.content.decode()

    start_redis()
    Operation.objects.filter(pk=op.pk).update(
        cancel_requested_at=timezone.now() - timedelta(minutes=1)
    )
    assert polling.reconcile_operations()["cancels"] == 1
    assert redis.Redis.from_url(url).llen(app.conf.task_default_queue) >= 1
    operations.send_cancel(op.pk)  # what the worker does with it
    assert simulator.calls()["operation.cancel"] == 1

"""The Celery app: configured from Django settings (CELERY_* names), tasks autodiscovered.

Also carries one small patch of kombu 5.7's Redis transport: `_detached_transport_cannot_connect`.
"""

import os

import kombu
import redis
from celery import Celery
from kombu.transport import redis as kombu_redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def _detached_transport_cannot_connect() -> None:
    """A worker holding unacknowledged messages (countdown polls) must outlive a Redis kill.

    kombu 5.7 (kombu#582): when the broker connection breaks, Celery's consumer runs
    `connection.collect()` and then `connection.close()`. collect() detaches the transport
    (`transport.client = None`) even when a channel's close failed half-way on the dead
    socket; close() then closes that channel again, its QoS restores the unacknowledged
    messages, which builds a Redis pool from the detached transport, and `_connparams` fails
    with AttributeError("'NoneType' object has no attribute 'hostname'"). That is no
    connection error, so `ignore_errors` lets it through and the worker exits for good
    ("Unrecoverable error"). Here a detached transport raises redis' ConnectionError instead:
    kombu ignores it while closing, and the consumer reconnects as after any broker loss. The
    messages stay in Redis' unacked index (restored after the visibility timeout) or, if
    Redis restarted empty, are re-sent by the reconciler. tests/chaos/test_redis_kill.py.
    """
    original = kombu_redis.Channel._connparams
    if getattr(original, "detached_guard", False):
        return

    def _connparams(self, asynchronous=False):
        transport = self.connection
        if transport is None or transport.client is None:
            raise redis.exceptions.ConnectionError("the broker connection is closed")
        return original(self, asynchronous=asynchronous)

    _connparams.detached_guard = True
    kombu_redis.Channel._connparams = _connparams


if kombu.VERSION[:2] == (5, 7):  # re-check on upgrade: drop once kombu fixes it upstream
    _detached_transport_cannot_connect()

app = Celery("portal", include=["sites_app.health", "sites_app.tasks_notify"])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def load_beat_schedule(sender, **kwargs):
    from sites_app.beat import BEAT_SCHEDULE

    sender.conf.beat_schedule = BEAT_SCHEDULE

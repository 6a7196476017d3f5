"""No notice, mail or webhook is lost when the broker or a worker fails: beat's sweep
(`notify_missed`) tells what a lost message left untold, once. Through the real lifecycle:
the operation runs against the simulator over XML-RPC; the notification tasks run in-process,
and "the broker is down" is Celery's enqueue raising kombu's OperationalError, as it does
when Redis refuses the connection."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from sites_app.models import Notification, OperationStatus, WebhookDelivery
from sites_app.services import notifications, webhooks
from tests.lifecycle.conftest import run_to_the_end
from tests.notifications.conftest import NOTIFY_TASKS, finished, request_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(monkeypatch, notify_worker):
    """`broker.down = True`: every notification task enqueued fails as with Redis gone (the
    message is lost); while up, it reaches `notify_worker` as usual."""

    class Broker:
        down = False

    state = Broker()
    for task in NOTIFY_TASKS:
        captured = task.apply_async

        def apply_async(*args, _captured=captured, **kwargs):
            if state.down:
                raise OperationalError(
                    "Error 111 connecting to 127.0.0.1:6379. Connection refused."
                )
            return _captured(*args, **kwargs)

        monkeypatch.setattr(task, "apply_async", apply_async)
    return state


@pytest.fixture
def ends(account, alice, enqueued, notify_worker, django_capture_on_commit_callbacks):
    """ends(name) -> an operation of alice's run to its end, its end's task enqueued."""

    def run(name="Shop"):
        op = request_create(account, alice, name=name, key=f"key-{name}")
        return finished(django_capture_on_commit_callbacks, run_to_the_end, op)

    return run


def sweep(notify_worker, later: timedelta) -> dict[str, int]:
    """One beat tick of the sweep, `later` from now, and the worker runs what it sent."""
    with notify_worker.capture(execute=True):  # the beat task's transactions commit
        counts = notifications.notify_missed(now=timezone.now() + later)
    notify_worker.run()
    return counts


def test_an_operation_that_ended_while_the_broker_was_down_is_told_by_the_sweep_once(
    team, alice, receiver, webhook_settings, broker, notify_worker, ends
):
    everything, _ = webhooks.create_endpoint(
        team,
        url=receiver.url,
        description="all",
        events=["operation.finished", "operation.failed", "site.created", "site.deleted"],
        actor=alice,
    )
    finishes, _ = webhooks.create_endpoint(
        team, url=receiver.url, description="", events=["operation.finished"], actor=alice
    )
    failures, _ = webhooks.create_endpoint(
        team, url=receiver.url, description="", events=["operation.failed"], actor=alice
    )
    broker.down = True
    op = ends("Bakery")
    broker.down = False
    assert op.status == OperationStatus.DONE
    assert notify_worker.run() == []  # the message was lost: nobody was told
    assert not Notification.objects.exists() and not WebhookDelivery.objects.exists()

    assert sweep(notify_worker, timedelta(seconds=10))["operations"] == 0  # not late yet
    assert sweep(notify_worker, timedelta(minutes=2))["operations"] == 1

    notice = Notification.objects.get(user=alice)
    assert notice.title == "Create site of Bakery is done"
    assert [m.subject for m in mail.outbox] == [
        "[Gandi Sites Portal] Create site of Bakery is done"
    ]
    sent = sorted(WebhookDelivery.objects.values_list("endpoint_id", "event"))
    assert sent == sorted(
        [
            (everything.pk, "operation.finished"),
            (everything.pk, "site.created"),
            (finishes.pk, "operation.finished"),
        ]
    )
    assert not WebhookDelivery.objects.filter(endpoint=failures).exists()
    assert sorted(receiver.events()) == ["operation.finished", "operation.finished", "site.created"]

    assert sweep(notify_worker, timedelta(minutes=3)) == {"operations": 0, "mails": 0}
    assert sweep(notify_worker, timedelta(minutes=15)) == {"operations": 0, "mails": 0}
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1
    assert WebhookDelivery.objects.count() == 3 and len(receiver.received) == 3


def test_an_operation_told_at_once_is_left_alone_by_the_sweep(alice, notify_worker, ends):
    ends("Quick")
    notify_worker.run()
    assert Notification.objects.filter(user=alice).count() == 1 and len(mail.outbox) == 1

    assert sweep(notify_worker, timedelta(minutes=2)) == {"operations": 0, "mails": 0}
    assert sweep(notify_worker, timedelta(minutes=20)) == {"operations": 0, "mails": 0}
    assert Notification.objects.filter(user=alice).count() == 1 and len(mail.outbox) == 1


def test_a_mail_whose_task_was_lost_is_sent_once_by_the_sweep(alice, broker, notify_worker, ends):
    ends("Parcel")
    broker.down = True  # the notice is written; the broker is gone when its mail is queued
    assert notify_worker.run() == ["sites_app.notify_operation_ended"]
    broker.down = False
    notice = Notification.objects.get(user=alice)
    assert notice.by_email and notice.emailed_at is None
    assert mail.outbox == []

    assert sweep(notify_worker, timedelta(minutes=5))["mails"] == 0  # maybe only slow
    assert mail.outbox == []
    assert sweep(notify_worker, timedelta(minutes=11))["mails"] == 1
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert sweep(notify_worker, timedelta(minutes=12))["mails"] == 0
    assert len(mail.outbox) == 1
    notice.refresh_from_db()
    assert notice.emailed_at is not None


class SlowMailServer:
    """While the first task is sending, a second task for the same notice runs (the sweep
    re-sent a message that was only late)."""

    notice_id: int | None = None
    second: str | None = None

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        if SlowMailServer.second is None:
            SlowMailServer.second = "running"
            SlowMailServer.second = notifications.send_notification_email(SlowMailServer.notice_id)
        mail.outbox.extend(messages)
        return len(messages)


def test_two_tasks_for_one_mail_send_it_once(
    alice, broker, notify_worker, ends, settings, monkeypatch
):
    ends("Twin")
    broker.down = True  # the mail's own message is lost: the two tasks below are the sweep's
    notify_worker.run()
    broker.down = False
    notice = Notification.objects.get(user=alice)
    settings.EMAIL_BACKEND = "tests.notifications.test_catch_up.SlowMailServer"
    monkeypatch.setattr(SlowMailServer, "notice_id", notice.pk)
    monkeypatch.setattr(SlowMailServer, "second", None)

    assert notifications.send_notification_email(notice.pk) == "sent"
    assert SlowMailServer.second == "nothing to send"
    assert len(mail.outbox) == 1


def test_operations_that_ended_before_the_deploy_are_not_told(alice, notify_worker, ends):
    ends("Ancient")
    notify_worker.queue.clear()  # its message was lost, before this release
    migration = importlib.import_module("sites_app.migrations.0008_notification_catch_up")
    migration.mark_ended_operations_notified(django_apps, None)

    assert sweep(notify_worker, timedelta(minutes=2)) == {"operations": 0, "mails": 0}
    assert not Notification.objects.filter(user=alice).exists()

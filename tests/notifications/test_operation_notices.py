"""People are told when an operation they asked for ends: in the bell and by email, once,
as they chose, and only while they are in the team. Through the real lifecycle: the
operation runs against the simulator over XML-RPC; the notification tasks run in-process."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from sites_app.models import Membership, Notification, OperationStatus, Role
from sites_app.services import notifications, operations
from tests.lifecycle.conftest import run_to_the_end
from tests.notifications.conftest import finished, request_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended(account, alice, enqueued, notify_worker, django_capture_on_commit_callbacks):
    """ended(name, faults) -> an operation of alice's run to its end, notices sent."""

    def run(name="Shop"):
        op = request_create(account, alice, name=name, key=f"key-{name}")
        op = finished(django_capture_on_commit_callbacks, run_to_the_end, op)
        notify_worker.run()
        return op

    return run


def test_the_person_who_asked_is_told_in_the_bell_and_by_email_when_a_create_is_done(
    ended, alice, client_for
):
    op = ended("Bakery")
    assert op.status == OperationStatus.DONE
    notice = Notification.objects.get(user=alice)
    assert notice.event == "operation.done"
    assert notice.title == "Create site of Bakery is done"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert message.subject == "[Gandi Sites Portal] Create site of Bakery is done"
    assert f"/operations/{op.pk}/" in message.body
    page = client_for(alice).get(reverse("dashboard"))
    assert b'data-testid="unread-count">1<' in page.content
    listing = client_for(alice).get(reverse("notification_list"))
    assert "Create site of Bakery is done" in listing.content.decode()


@pytest.mark.parametrize(
    ("faults", "status", "words"),
    [
        ({"op_error_rate": 1.0}, "failed", "failed"),
        ({"op_support_rate": 1.0}, "needs_attention", "needs attention"),
    ],
)
def test_a_failed_operation_or_one_needing_attention_is_told_too(
    ended, alice, simulator, faults, status, words
):
    simulator.set_faults(**faults)
    op = ended("Doomed")
    assert op.status == status
    notice = Notification.objects.get(user=alice)
    assert notice.event == f"operation.{status}"
    assert notice.title == f"Create site of Doomed {words}"
    assert notice.body == op.last_error  # the plain words of the operation page
    assert mail.outbox[0].subject.endswith(words)


def test_an_operation_cancelled_before_it_was_sent_is_told(
    account, alice, enqueued, notify_worker, django_capture_on_commit_callbacks
):
    op = request_create(account, alice, name="Maybe")
    with django_capture_on_commit_callbacks(execute=True):
        operations.request_cancel(op, alice)
    notify_worker.run()
    notice = Notification.objects.get(user=alice)
    assert notice.event == "operation.cancelled"
    assert notice.title == "Create site of Maybe was cancelled"
    assert len(mail.outbox) == 1


def test_a_rerun_of_the_task_tells_nobody_twice(ended, alice, notify_worker):
    op = ended("Twice")
    notifications.record_operation_ended(op.pk)
    notify_worker.run()
    assert Notification.objects.filter(user=alice).count() == 1
    assert len(mail.outbox) == 1


def test_preferences_are_respected_per_channel(ended, alice, team):
    notifications.save_preference(
        alice, team, email_events=[], portal_events=["operation.done", "site.expiring"]
    )
    ended("Quiet")
    notice = Notification.objects.get(user=alice)
    assert notice.in_portal and not notice.by_email
    assert mail.outbox == []


def test_nothing_is_written_when_both_channels_are_off_for_the_event(ended, alice, team):
    notifications.save_preference(alice, team, email_events=["site.expiring"], portal_events=[])
    ended("Silent")
    assert not Notification.objects.filter(user=alice).exists()
    assert mail.outbox == []


def test_a_person_who_left_the_team_is_not_told(
    account, alice, member, team, enqueued, notify_worker, django_capture_on_commit_callbacks
):
    billing = member(Role.BILLING)
    op = request_create(account, billing, name="Gone")
    op = finished(django_capture_on_commit_callbacks, run_to_the_end, op)
    Membership.objects.filter(user=billing, team=team).delete()
    notify_worker.run()
    assert not Notification.objects.filter(user=billing).exists()
    assert mail.outbox == []


def test_a_mail_is_not_sent_once_its_person_left_the_team(ended, alice, member, team):
    # The notice is written, then the person leaves before the mail goes out.
    ended("Late")
    notice = Notification.objects.get(user=alice)
    Notification.objects.filter(pk=notice.pk).update(emailed_at=None)
    mail.outbox.clear()
    member(Role.OWNER)  # the team keeps an owner
    Membership.objects.filter(user=alice, team=team).delete()
    assert notifications.send_notification_email(notice.pk) == "no longer a member"
    assert mail.outbox == []


class FlakyBackend:
    """A mail server that refuses the first `failures` messages, then takes them."""

    failures = 0
    tries = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import smtplib

        FlakyBackend.tries += 1
        if FlakyBackend.tries <= FlakyBackend.failures:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        mail.outbox.extend(messages)
        return len(messages)


def test_a_failed_mail_is_retried_and_never_blocks_the_operation(
    ended, alice, settings, monkeypatch
):
    from sites_app import tasks_notify

    settings.EMAIL_BACKEND = "tests.notifications.test_operation_notices.FlakyBackend"
    monkeypatch.setattr(FlakyBackend, "failures", 2)
    monkeypatch.setattr(FlakyBackend, "tries", 0)
    with pytest.raises(OSError):  # run in-process, the task raises; Celery retries it
        ended("Flaky")
    op = alice.notifications.get().operation
    assert op.status == OperationStatus.DONE  # the operation ended whatever the mail did
    notice = Notification.objects.get(user=alice)
    assert notice.email_error == "Connection unexpectedly closed"
    assert notice.emailed_at is None
    # Celery's own retries (eagerly here): two refusals, then the mail goes out.
    monkeypatch.setattr(FlakyBackend, "tries", 1)
    tasks_notify.notify_send_email.apply(args=[notice.pk])
    notice.refresh_from_db()
    assert notice.emailed_at is not None and notice.email_error == ""
    assert len(mail.outbox) == 1
    assert tasks_notify.notify_send_email.max_retries == 6  # bounded


def test_emails_carry_no_secret(ended, account):
    ended("Secretive")
    text = mail.outbox[0].subject + mail.outbox[0].body
    assert account.api_key() not in text
    assert account.api_key_encrypted not in text

"""The whole path through a REAL Celery worker, Redis and the simulator: a create ends, the
person who asked finds it under the bell (and was mailed), and the team's webhook got it signed."""

from __future__ import annotations

import pytest

from sites_app.models import Notification, OperationStatus
from sites_app.services import webhooks
from tests.fixtures.celery_worker import wait_for
from tests.notifications.conftest import request_create, verify_signature

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def worker_env(monkeypatch, webhook_settings):
    # The worker reads its settings from the environment, like production.
    monkeypatch.setenv("DEBUG", "True")
    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE", "True")
    monkeypatch.setenv("PORTAL_URL", "https://portal.example.com")


@pytest.fixture
def worker(account, worker_env, celery_worker_process):
    return celery_worker_process


def test_a_create_through_the_worker_tells_its_person_and_the_webhook(
    worker, account, alice, team, receiver
):
    _, secret = webhooks.create_endpoint(
        team, url=receiver.url, description="", events=["site.created"], actor=alice
    )
    op = request_create(account, alice, name="Journey", key="journey-1")

    def told():
        return Notification.objects.filter(user=alice, emailed_at__isnull=False).first()

    notice = wait_for(told, timeout=60, message="alice's notice to be mailed")
    op.refresh_from_db()
    assert op.status == OperationStatus.DONE
    assert notice.title == "Create site of Journey is done" and notice.in_portal
    wait_for(lambda: receiver.received, timeout=30, message="the webhook delivery")
    assert receiver.events() == ["site.created"]
    assert verify_signature(secret, receiver.received[0])

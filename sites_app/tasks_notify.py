"""Celery tasks of notifications and webhooks: ids in, re-fetch, call a service.

Task names never change once deployed. Mail retries only on SMTP/network errors (bounded,
with backoff); webhook retries live in the delivery rows (services/webhooks.py), not here.
"""

from __future__ import annotations

import logging

from celery import shared_task
from kombu.exceptions import OperationalError

from sites_app.services import notifications, webhooks

log = logging.getLogger(__name__)


def safe_delay(task, *args) -> None:
    """Enqueue without ever failing the caller: an operation must not fail for a notice."""
    try:
        task.delay(*args)
    except OperationalError as exc:
        log.warning("could not enqueue %s%r: %s", task.name, args, exc)


@shared_task(name="sites_app.notify_operation_ended")
def notify_operation_ended(operation_id: int) -> int:
    return notifications.record_operation_ended(operation_id)


@shared_task(
    name="sites_app.notify_send_email",
    autoretry_for=(OSError,),  # smtplib.SMTPException and refused connections are OSErrors
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=6,
)
def notify_send_email(notification_id: int) -> str:
    return notifications.send_notification_email(notification_id)


@shared_task(name="sites_app.notify_expiring_sites")
def notify_expiring_sites() -> int:
    return notifications.notify_expiring_sites()


@shared_task(name="sites_app.notify_missed")
def notify_missed() -> dict[str, int]:
    return notifications.notify_missed()


@shared_task(name="sites_app.deliver_webhook")
def deliver_webhook(delivery_id: int) -> str:
    return webhooks.deliver(delivery_id)


@shared_task(name="sites_app.deliver_due_webhooks")
def deliver_due_webhooks() -> int:
    due = webhooks.due_deliveries()
    for delivery_id in due:
        deliver_webhook.delay(delivery_id)
    return len(due)

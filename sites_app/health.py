"""The worker heartbeat: a Celery task that writes to the database, shown on the dashboard."""

import socket
from datetime import timedelta

from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

from .models import WorkerHeartbeat

STALE_AFTER = timedelta(seconds=90)


@shared_task(name="sites_app.record_worker_heartbeat")
def record_worker_heartbeat() -> None:
    WorkerHeartbeat.objects.update_or_create(
        hostname=socket.gethostname(), defaults={"last_seen_at": timezone.now()}
    )


@worker_ready.connect
def heartbeat_on_start(**kwargs) -> None:
    """A worker that just started is seen at once, not only at beat's next tick."""
    record_worker_heartbeat()


def latest_heartbeat() -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.first()


def worker_is_alive() -> bool:
    beat = latest_heartbeat()
    return beat is not None and timezone.now() - beat.last_seen_at < STALE_AFTER

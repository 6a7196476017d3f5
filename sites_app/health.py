"""The worker heartbeat: a Celery task that writes to the database, shown on the dashboard."""

import socket
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from .models import WorkerHeartbeat

STALE_AFTER = timedelta(seconds=90)


@shared_task(name="sites_app.record_worker_heartbeat")
def record_worker_heartbeat() -> None:
    WorkerHeartbeat.objects.update_or_create(
        hostname=socket.gethostname(), defaults={"last_seen_at": timezone.now()}
    )


def latest_heartbeat() -> WorkerHeartbeat | None:
    return WorkerHeartbeat.objects.first()


def worker_is_alive() -> bool:
    beat = latest_heartbeat()
    return beat is not None and timezone.now() - beat.last_seen_at < STALE_AFTER

"""Worker heartbeats: proof that a Celery worker picked up work recently."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """The last time a worker ran the heartbeat task (beat sends one every 30 s)."""

    hostname = models.CharField(max_length=255, unique=True)
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.hostname} at {self.last_seen_at:%H:%M:%S}"

"""Celery beat entries (descriptive names; task names never change once deployed)."""

BEAT_SCHEDULE: dict = {
    "worker heartbeat every 30 seconds": {
        "task": "sites_app.record_worker_heartbeat",
        "schedule": 30.0,
    },
}

"""Celery beat entries (descriptive names; task names never change once deployed)."""

BEAT_SCHEDULE: dict = {}

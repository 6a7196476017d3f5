"""The Celery app: configured from Django settings (CELERY_* names), tasks autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal", include=["sites_app.health", "sites_app.tasks_notify"])
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def load_beat_schedule(sender, **kwargs):
    from sites_app.beat import BEAT_SCHEDULE

    sender.conf.beat_schedule = BEAT_SCHEDULE

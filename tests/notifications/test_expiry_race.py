"""Two beats at once (two real PostgreSQL connections) still tell each expiry once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from sites_app.models import ExpiryNotice, Notification
from sites_app.services import notifications


@pytest.mark.django_db(transaction=True)
def test_a_second_beat_waiting_on_the_first_tells_nobody_again(synced_site, alice):
    if connection.vendor != "postgresql":
        pytest.skip("a race test: needs PostgreSQL (DATABASE_URL) for two real connections")
    synced_site.paid_until = timezone.now() + timedelta(days=3)
    synced_site.save(update_fields=["paid_until"])
    first_wrote = threading.Event()
    first_may_commit = threading.Event()

    def first_beat():
        # Another beat has written the notice, and has not committed yet.
        try:
            with transaction.atomic():
                ExpiryNotice.objects.create(
                    site=synced_site, threshold_days=7, paid_until=synced_site.paid_until
                )
                first_wrote.set()
                first_may_commit.wait(10)
        finally:
            connections.close_all()

    first = threading.Thread(target=first_beat)
    first.start()
    assert first_wrote.wait(10)
    second: list[int] = []
    later = threading.Thread(
        target=lambda: (
            second.append(notifications.notify_expiring_sites()),
            connections.close_all(),
        )
    )
    later.start()  # its INSERT waits on the unique index for the first beat's transaction
    later.join(0.5)
    first_may_commit.set()
    first.join(10)
    later.join(10)
    assert second == [0]
    assert ExpiryNotice.objects.count() == 1
    assert not Notification.objects.exists()  # the second beat told nobody

"""Expiry notices: 30, 7 and 1 days before a site's paid-until, each once, to the team's
current members as they chose; a renewal starts the count again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from sites_app.models import ExpiryNotice, Membership, Notification, Role
from sites_app.services import notifications

pytestmark = pytest.mark.django_db


@pytest.fixture
def beat(notify_worker):
    """One beat tick of the expiry task, at `now`, with what it sends run by the worker."""

    def run(now=None) -> int:
        with notify_worker.capture(execute=True):
            count = notifications.notify_expiring_sites(now)
        notify_worker.run()
        return count

    return run


def expiring(site, days: float):
    site.paid_until = timezone.now() + timedelta(days=days)
    site.save(update_fields=["paid_until"])
    return site


def titles(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("title", flat=True)
    )


def test_each_threshold_is_told_once_even_when_beat_runs_twice(beat, synced_site, alice):
    site = expiring(synced_site, 40)
    now = timezone.now()
    assert beat(now) == 0  # 40 days away: nothing yet
    assert beat(now + timedelta(days=11)) == 1  # 29 days left
    assert beat(now + timedelta(days=11, hours=1)) == 0  # the next tick: already told
    assert beat(now + timedelta(days=34)) == 1  # 6 days left
    assert beat(now + timedelta(days=34)) == 0
    assert beat(now + timedelta(days=39, hours=12)) == 1  # half a day left
    assert beat(now + timedelta(days=41)) == 0  # over: nothing more
    assert titles(alice) == [
        f"Bakery expires in 29 days ({site.paid_until:%Y-%m-%d})",
        f"Bakery expires in 6 days ({site.paid_until:%Y-%m-%d})",
        f"Bakery expires in 1 day ({site.paid_until:%Y-%m-%d})",
    ]
    assert sorted(ExpiryNotice.objects.values_list("threshold_days", flat=True)) == [1, 7, 30]
    assert len(mail.outbox) == 3
    assert mail.outbox[0].to == ["alice@example.com"]


def test_a_site_first_seen_close_to_its_end_gets_only_the_nearest_notice(beat, synced_site):
    expiring(synced_site, 5)
    assert beat() == 1
    assert list(ExpiryNotice.objects.values_list("threshold_days", flat=True)) == [7]


def test_a_renewal_starts_the_notices_again(beat, synced_site, alice):
    expiring(synced_site, 5)
    beat()
    expiring(synced_site, 6)  # renewed by a day, say: a new paid-until
    assert beat() == 1
    assert len(titles(alice)) == 2


def test_every_current_member_is_told_as_they_chose(
    beat, synced_site, alice, member, team, charlie
):
    viewer = member(Role.VIEWER)
    left = member(Role.OPERATOR)
    Membership.objects.filter(user=left).delete()
    notifications.save_preference(viewer, team, email_events=[], portal_events=["site.expiring"])
    expiring(synced_site, 2)
    beat()
    assert len(titles(alice)) == 1
    assert len(titles(viewer)) == 1
    assert titles(left) == [] and titles(charlie) == []  # gone, and another team's person
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]  # the viewer chose no mail


def test_deleted_sites_are_not_told(beat, synced_site):
    expiring(synced_site, 2)
    synced_site.removed_at = timezone.now()
    synced_site.save(update_fields=["removed_at"])
    assert beat() == 0


def test_a_beat_tick_with_nothing_new_costs_the_same_at_10_and_at_200_expiring_sites(account):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sites_app.models import Site

    def seed(count: int, start: int) -> None:
        paid = timezone.now() + timedelta(days=20)
        Site.objects.bulk_create(
            Site(account=account, gandi_id=start + i, name=f"s{start + i}", paid_until=paid)
            for i in range(count)
        )

    counts = []
    for size, start in ((10, 1000), (190, 2000)):
        seed(size, start)
        notifications.notify_expiring_sites()  # tells the new ones
        with CaptureQueriesContext(connection) as captured:
            assert notifications.notify_expiring_sites() == 0
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] == 2

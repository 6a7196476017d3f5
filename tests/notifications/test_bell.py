"""The bell: an unread count in the navigation, the notifications page, marking read; one's
own notices only, and only of teams one is still in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sites_app.models import Membership, Notification, Role

pytestmark = pytest.mark.django_db


def notice(user, team, title="Shop is done", link="/operations/1/", **extra):
    return Notification.objects.create(
        user=user,
        team=team,
        event="operation.done",
        dedupe_key=title,
        title=title,
        link=link,
        **extra,
    )


def unread_badge(client) -> str | None:
    page = client.get(reverse("dashboard")).content.decode()
    marker = 'data-testid="unread-count">'
    if marker not in page:
        return None
    return page.split(marker, 1)[1].split("<", 1)[0]


def test_the_bell_counts_unread_notices_and_opening_one_marks_it_read(alice, team, client_for):
    first = notice(alice, team, "Shop is done", link="/operations/7/")
    notice(alice, team, "Cafe failed")
    client = client_for(alice)
    assert unread_badge(client) == "2"
    response = client.post(reverse("notification_read", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/operations/7/"
    assert unread_badge(client) == "1"
    client.post(reverse("notification_read_all"))
    assert unread_badge(client) is None
    page = client.get(reverse("notification_list")).content.decode()
    assert "Shop is done" in page and "Cafe failed" in page


def test_no_badge_without_unread_notices_and_email_only_ones_stay_out_of_the_bell(
    alice, team, client_for
):
    notice(alice, team, "Mailed only", in_portal=False)
    client = client_for(alice)
    assert unread_badge(client) is None
    assert "Mailed only" not in client.get(reverse("notification_list")).content.decode()


def test_another_persons_notice_cannot_be_opened_or_marked(alice, team, member, client_for):
    mine = notice(alice, team)
    other = client_for(member(Role.OWNER))
    assert other.post(reverse("notification_read", args=[mine.pk])).status_code == 404
    other.post(reverse("notification_read_all"))
    mine.refresh_from_db()
    assert mine.read_at is None


def test_notices_of_a_team_one_left_are_hidden(alice, team, other_team, client_for):
    Membership.objects.create(user=alice, team=other_team, role=Role.VIEWER)
    notice(alice, other_team, "Globex site expires")
    client = client_for(alice)
    assert unread_badge(client) == "1"
    Membership.objects.filter(user=alice, team=other_team).delete()
    assert unread_badge(client) is None
    assert "Globex" not in client.get(reverse("notification_list")).content.decode()


def test_a_link_to_another_site_is_never_followed(alice, team, client_for):
    odd = notice(alice, team, link="https://evil.example/")
    response = client_for(alice).post(reverse("notification_read", args=[odd.pk]))
    assert response["Location"] == reverse("notification_list")


def test_the_preferences_page_saves_per_team_choices(alice, team, client_for):
    from sites_app.services.notifications import preference_for

    client = client_for(alice)
    page = client.get(reverse("notification_preferences"))
    assert page.status_code == 200
    assert page.content.decode().count("checked") == 10  # defaults: every event, both ways
    response = client.post(
        reverse("notification_preferences"),
        {"email_events": ["site.expiring"], "portal_events": ["operation.done", "bogus"]},
    )
    assert response.status_code == 200  # "bogus" is not a choice: the form says so
    assert "bogus" in response.content.decode()
    client.post(
        reverse("notification_preferences"),
        {"email_events": ["site.expiring"], "portal_events": ["operation.done"]},
    )
    pref = preference_for(alice, team)
    assert (pref.email_events, pref.portal_events) == (["site.expiring"], ["operation.done"])

"""The audit log page: the team's events, newest first, filters, pages, CSV; append-only."""

import csv
import io

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from sites_app import audit
from sites_app.models import AuditEvent, Role
from sites_app.models.audit import AppendOnlyError


@pytest.fixture
def events(team, alice, member, other_team, charlie):
    bob = member(Role.ADMIN)
    audit.record("gandi_account.add", actor=alice, team=team, obj=team, endpoint="ote")
    audit.record("member.role_change", actor=bob, team=team, obj=alice, new_role="admin")
    audit.record("team.rename", actor=bob, team=team, obj=team, old_name="Acme")
    audit.record("team.rename", actor=charlie, team=other_team, obj=other_team, old_name="Secret")
    audit.record("auth.login", actor=alice)
    audit.record("auth.login", actor=charlie)
    return bob


def table(response) -> str:
    """The events table only (the filter's drop-downs list action names too)."""
    html = response.content.decode()
    start = html.index('data-testid="audit-events"')
    return html[start : html.index("</table>", start)]


def rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_it_shows_the_teams_events_newest_first(alice, events, client_for):
    html = table(client_for(alice).get(reverse("audit_log")))
    rename = html.index("team.rename")
    added = html.index("gandi_account.add")
    assert rename < added  # newest first
    assert "auth.login" in html  # a member's own sign-in


def test_it_hides_other_teams_events(alice, events, client_for):
    html = client_for(alice).get(reverse("audit_log")).content.decode()
    assert "Secret" not in html and "charlie" not in html


def test_it_filters_by_person_action_and_object(alice, events, client_for):
    client = client_for(alice)
    by_person = table(client.get(reverse("audit_log"), {"person": events.username}))
    assert "member.role_change" in by_person and "gandi_account.add" not in by_person
    by_action = table(client.get(reverse("audit_log"), {"action": "team.rename"}))
    assert "team.rename" in by_action and "member.role_change" not in by_action
    by_object = table(client.get(reverse("audit_log"), {"object": "alice"}))
    assert "member.role_change" in by_object and "team.rename" not in by_object


def test_an_unknown_filter_value_is_shown_as_an_error_not_a_500(alice, events, client_for):
    response = client_for(alice).get(reverse("audit_log"), {"person": "nobody", "page": "zz"})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()


def test_it_pages_through_many_events(team, alice, client_for):
    for n in range(120):
        audit.record("team.rename", actor=alice, team=team, obj=team, n=n)
    client = client_for(alice)
    first = client.get(reverse("audit_log")).content.decode()
    # Pages are numbered without counting the whole log (its cost would grow with it).
    assert "Page 1<" in first and "n=119" in first and "n=0<" not in first
    assert 'href="?page=2">Older</a>' in first
    last = client.get(reverse("audit_log"), {"page": 3}).content.decode()
    assert "n=0" in last
    assert ">Older</a>" not in last and 'href="?page=2">Newer</a>' in last


def test_the_csv_export_uses_the_same_filters(alice, events, client_for):
    response = client_for(alice).get(reverse("audit_export"), {"action": "team.rename"})
    assert response["Content-Type"].startswith("text/csv")
    exported = rows(response)
    assert [r["action"] for r in exported] == ["team.rename"]
    assert exported[0]["person"] == events.username


def test_the_csv_export_defuses_spreadsheet_formulas(team, alice, client_for):
    audit.record("team.rename", actor=alice, team=team, obj=team, old_name="x")
    team.name = '=HYPERLINK("http://evil")'
    audit.record("team.rename", actor=alice, team=team, obj=team)
    exported = rows(client_for(alice).get(reverse("audit_export"), {"action": "team.rename"}))
    assert exported[0]["object"].startswith("'=")


def test_a_viewer_may_read_the_log(member, events, client_for):
    assert client_for(member(Role.VIEWER)).get(reverse("audit_log")).status_code == 200


def test_events_cannot_be_changed_or_deleted(team, alice):
    event = audit.record("team.rename", actor=alice, team=team)
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(action="forged")


def test_the_admin_shows_events_read_only(team, alice):
    model_admin = admin.site._registry[AuditEvent]
    request = RequestFactory().get("/admin/")
    request.user = alice
    alice.is_staff = alice.is_superuser = True
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_it_hides_sign_ins_from_before_a_person_joined(alice, team, client_for):
    from datetime import timedelta

    from sites_app.models import Membership
    from tests.fixtures.personas import make_user

    dave = make_user("dave")
    early = audit.record("auth.login_failed", outcome="failure", username="dave")
    membership = Membership.objects.create(team=team, user=dave, role=Role.VIEWER)
    Membership.objects.filter(pk=membership.pk).update(
        created_at=early.created_at + timedelta(seconds=1)
    )
    audit.record("auth.login", actor=dave)
    html = table(client_for(alice).get(reverse("audit_log"), {"person": "dave"}))
    assert "auth.login" in html
    assert "auth.login_failed" not in html


def test_actions_read_in_plain_words_with_their_code(alice, events, client_for):
    html = table(client_for(alice).get(reverse("audit_log")))
    assert "Renamed the team" in html and "team.rename" in html
    assert "Signed in" in html


def test_the_log_pages_through_older_events_keeping_the_filter(alice, team, client_for):
    for number in range(55):
        audit.record("team.rename", actor=alice, team=team, obj=team, old_name=f"Name {number}")
    client = client_for(alice)
    first = client.get(reverse("audit_log"), {"action": "team.rename"}).content.decode()
    assert "Page 1<" in first
    assert 'href="?action=team.rename&amp;page=2">Older</a>' in first
    second = table(client.get(reverse("audit_log"), {"action": "team.rename", "page": 2}))
    assert "old_name=Name 0" in second and "old_name=Name 54" not in second

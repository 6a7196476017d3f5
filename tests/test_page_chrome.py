"""What every page shares: the navigation marks where you are, the tab has an icon."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_navigation_marks_the_current_section(client_for, alice):
    client = client_for(alice)
    page = client.get(reverse("audit_log")).content.decode()
    assert f'<a class="nav-link active" aria-current="page" href="{reverse("audit_log")}">' in page
    assert f'<a class="nav-link" href="{reverse("site_list")}">Sites</a>' in page


def test_pages_name_an_icon_that_exists(client):
    page = client.get(reverse("login")).content.decode()
    assert 'rel="icon" href="/static/portal/favicon.svg"' in page
    assert finders.find("portal/favicon.svg")


def test_a_member_without_a_full_name_is_named_once(client_for, alice):
    alice.first_name = alice.last_name = ""
    alice.save()
    page = client_for(alice).get(reverse("team_detail")).content.decode()
    row = page[page.index(f'data-member="{alice.username}"') :]
    row = row[: row.index("</td>")]
    assert row.count(alice.username) == 2  # the row's data attribute, and the name once


def test_someone_without_a_team_is_offered_to_create_one(client_for):
    from tests.fixtures.personas import make_user

    page = client_for(make_user("loner")).get(reverse("dashboard")).content.decode()
    assert f'<a href="{reverse("team_create")}">create your own team</a>' in page


def test_a_refusal_says_which_role_and_what_it_cannot_do(client_for, member):
    from sites_app.models import Role

    response = client_for(member(Role.VIEWER)).get(reverse("site_create"))
    assert response.status_code == 403
    assert "As Viewer in Acme Web, you cannot spend money (create or upgrade sites)." in (
        response.content.decode()
    )

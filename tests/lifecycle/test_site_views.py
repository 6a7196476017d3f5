"""Journeys 1, 2, 4 and 7 through the views: list, site page, editor link, delete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sites_app.models import AuditEvent, Operation, OperationKind, Role, Site, VirtualHost
from sites_app.services.sites import sync_account
from tests.lifecycle.conftest import MANAGED_DOMAIN, gandi_site, make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_sites(account):
    gandi_site(account, "Alpha bakery", [f"alpha.{MANAGED_DOMAIN}"])
    gandi_site(account, "Beta garage", [f"beta.{MANAGED_DOMAIN}"])
    gandi_site(account, "Gamma florist", [f"gamma.{MANAGED_DOMAIN}"])
    sync_account(account)
    Site.objects.filter(name="Beta garage").update(package="business")
    Site.objects.filter(name="Gamma florist").update(
        paid_until=timezone.now() + timedelta(days=400)
    )
    return account


def names(response) -> list[str]:
    return [site.name for site in response.context["page"].object_list]


def test_the_list_shows_the_teams_sites_with_counts(client_for, alice, three_sites):
    response = client_for(alice).get(reverse("site_list"))
    assert response.status_code == 200
    assert names(response) == ["Alpha bakery", "Beta garage", "Gamma florist"]
    assert "3 shown of 3" in response.content.decode()


def test_it_hides_other_teams_sites(client_for, charlie, other_team, simulator, three_sites):
    theirs = make_account(other_team, simulator, name="Theirs")
    gandi_site(theirs, "Charlie private")
    sync_account(theirs)
    assert names(client_for(charlie).get(reverse("site_list"))) == ["Charlie private"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "garage"}, ["Beta garage"]),
        ({"q": f"GAMMA.{MANAGED_DOMAIN}"}, ["Gamma florist"]),
        ({"package": "business"}, ["Beta garage"]),
        ({"state": "active"}, ["Alpha bakery", "Beta garage", "Gamma florist"]),
        ({"expiring": "60"}, ["Alpha bakery", "Beta garage"]),
        ({"sort": "-name"}, ["Gamma florist", "Beta garage", "Alpha bakery"]),
        ({"sort": "-paid_until"}, ["Gamma florist", "Alpha bakery", "Beta garage"]),
    ],
)
def test_it_searches_filters_and_sorts(client_for, alice, three_sites, query, expected):
    got = names(client_for(alice).get(reverse("site_list"), query))
    if query.get("sort") == "-paid_until":
        assert got[0] == expected[0]
    else:
        assert got == expected


def test_a_nonsense_filter_is_ignored_with_a_message(client_for, alice, three_sites):
    response = client_for(alice).get(reverse("site_list"), {"expiring": "soon", "sort": "x"})
    assert response.status_code == 200
    assert response.context["filter_errors"] == [
        "Expiring within (days): Enter a whole number.",
        "Sort: Select a valid choice. x is not one of the available choices.",
    ]
    assert "Ignored these filters" in response.content.decode()
    assert len(names(response)) == 3


def test_a_bad_filter_leaves_the_good_ones_working(client_for, alice, three_sites):
    response = client_for(alice).get(
        reverse("site_list"), {"q": "garage", "expiring": "-3", "account": "abc"}
    )
    assert names(response) == ["Beta garage"]
    page = response.content.decode()
    assert "Account: Select a valid choice." in page
    assert "Expiring within (days): Ensure this value is greater than or equal to 0." in page


def test_a_site_is_found_by_the_unicode_form_of_its_vhost(client_for, alice, account):
    site = Site.objects.create(account=account, gandi_id=77, name="Book shop")
    VirtualHost.objects.create(site=site, name="www.xn--bcher-kva.example", position=0)
    client = client_for(alice)
    for query in ["bücher", "www.bücher.example", "xn--bcher"]:
        assert names(client.get(reverse("site_list"), {"q": query})) == ["Book shop"], query


def test_the_page_links_keep_the_filters_and_have_no_stray_ampersand(client_for, alice, account):
    for n in range(30):
        Site.objects.create(account=account, gandi_id=1000 + n, name=f"Site {n:02}")
    client = client_for(alice)
    assert 'href="?page=2"' in client.get(reverse("site_list")).content.decode()
    filtered = client.get(reverse("site_list"), {"q": "Site"}).content.decode()
    assert 'href="?q=Site&amp;page=2"' in filtered


def test_the_list_is_paginated(client_for, alice, account):
    for n in range(30):
        Site.objects.create(account=account, gandi_id=1000 + n, name=f"Site {n:02}")
    client = client_for(alice)
    first = client.get(reverse("site_list"))
    second = client.get(reverse("site_list"), {"page": 2})
    assert len(names(first)) == 25
    assert names(second) == [f"Site {n}" for n in range(25, 30)]
    assert client.get(reverse("site_list"), {"page": "zzz"}).status_code == 200


def test_the_sync_button_queues_a_sync_for_each_account(client_for, alice, account, enqueued):
    response = client_for(alice).post(reverse("site_sync"))
    assert response.status_code == 302
    assert [(e.task, e.args) for e in enqueued] == [("sites_app.sync_account_sites", (account.pk,))]


def test_a_viewer_cannot_sync(client_for, member, account, enqueued):
    assert client_for(member(Role.VIEWER)).post(reverse("site_sync")).status_code == 403
    assert enqueued == []


def test_the_site_page_shows_what_site_info_said(client_for, alice, synced_site, enqueued):
    from django.core.cache import cache

    from sites_app.services.site_refresh import refresh_key

    cache.delete(refresh_key(synced_site.pk))  # ids repeat across tests on SQLite
    response = client_for(alice).get(reverse("site_detail", args=[synced_site.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    for text in [synced_site.parking_vhost, f"www.{MANAGED_DOMAIN}", "Personal", "Active"]:
        assert text in page
    vhosts = [v.name for v in response.context["vhosts"]]
    assert vhosts[:2] == [f"www.{MANAGED_DOMAIN}", f"shop.{MANAGED_DOMAIN}"]
    # ... and asks a worker to read it again from Gandi (by id), once per 30 s at most.
    assert [(e.task, e.args) for e in enqueued] == [("sites_app.refresh_site", (synced_site.pk,))]
    client_for(alice).get(reverse("site_detail", args=[synced_site.pk]))
    assert len(enqueued) == 1


def test_the_site_page_shows_stored_data_when_gandi_is_down(
    client_for, alice, synced_site, simulator, enqueued
):
    simulator.stop()
    response = client_for(alice).get(reverse("site_detail", args=[synced_site.pk]))
    assert response.status_code == 200
    assert f"www.{MANAGED_DOMAIN}" in response.content.decode()


def test_a_viewers_site_page_writes_nothing_and_changes_nothing_at_gandi(
    client_for, member, synced_site, simulator, enqueued
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    viewer = client_for(member(Role.VIEWER))
    before = simulator.calls()
    with CaptureQueriesContext(connection) as queries:
        response = viewer.get(reverse("site_detail", args=[synced_site.pk]))
    assert response.status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert writes == []
    assert simulator.calls() - before == {}  # the page itself called Gandi for nothing
    # The worker's refresh, when it runs, is a read at Gandi.
    from sites_app.services.site_refresh import refresh_site_by_id

    assert refresh_site_by_id(synced_site.pk) == "refreshed"
    made = simulator.calls() - before
    assert set(made) == {"site.info"}


def test_another_teams_site_is_a_404_everywhere(client_for, charlie, synced_site):
    client = client_for(charlie)
    for name in ["site_detail", "site_vhosts", "site_upgrade", "site_delete"]:
        assert client.get(reverse(name, args=[synced_site.pk])).status_code == 404
    for name in ["site_edit_link", "site_vhosts", "site_upgrade", "site_delete"]:
        assert client.post(reverse(name, args=[synced_site.pk])).status_code == 404
    assert not Operation.objects.exists()


def test_the_edit_button_redirects_to_a_fresh_link_that_is_not_kept(
    client_for, alice, synced_site, simulator
):
    response = client_for(alice).post(reverse("site_edit_link", args=[synced_site.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(simulator.url.split("/xmlrpc/")[0])
    event = AuditEvent.objects.get(action="site.edit_link")
    assert response["Location"] not in str(event.detail)
    assert simulator.calls()["site.edit"] == 1


def test_a_viewer_gets_no_edit_link(client_for, member, synced_site, simulator):
    response = client_for(member(Role.VIEWER)).post(
        reverse("site_edit_link", args=[synced_site.pk])
    )
    assert response.status_code == 403
    assert simulator.calls()["site.edit"] == 0


def test_delete_needs_the_sites_name_typed(client_for, alice, synced_site, enqueued):
    client = client_for(alice)
    page = client.get(reverse("site_delete", args=[synced_site.pk]))
    key = page.context["form"]["request_key"].value()
    response = client.post(
        reverse("site_delete", args=[synced_site.pk]),
        {"confirm_name": "bakery", "request_key": key},
    )
    assert response.status_code == 200
    assert "Type “Bakery” exactly" in response.content.decode()
    assert 'value="bakery"' in response.content.decode()  # what was typed stays
    assert not Operation.objects.exists()
    response = client.post(
        reverse("site_delete", args=[synced_site.pk]),
        {"confirm_name": "Bakery", "request_key": key},
    )
    op = Operation.objects.get()
    assert response["Location"] == reverse("operation_detail", args=[op.pk])
    assert op.kind == OperationKind.DELETE


def test_an_operator_may_not_delete(client_for, member, synced_site):
    response = client_for(member(Role.OPERATOR)).post(
        reverse("site_delete", args=[synced_site.pk]), {"confirm_name": "Bakery"}
    )
    assert response.status_code == 403


def test_pages_never_show_the_api_key(client_for, alice, synced_site, account):
    key = account.api_key()
    client = client_for(alice)
    for url in [
        reverse("site_list"),
        reverse("site_detail", args=[synced_site.pk]),
        reverse("site_vhosts", args=[synced_site.pk]),
        reverse("site_upgrade", args=[synced_site.pk]),
        reverse("site_create"),
        reverse("operation_list"),
    ]:
        assert key not in client.get(url).content.decode()

"""Journey 1, "Sync from Gandi": the list shows the sync running, then refreshes by itself."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sites_app.models import Site
from sites_app.tasks import sync_account_sites
from tests.lifecycle.conftest import gandi_site

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_list_polls_while_the_sync_runs_and_reloads_when_it_is_done(
    client_for, alice, account, enqueued
):
    gandi_site(account, "Made outside")
    client = client_for(alice)
    client.post(reverse("site_sync"))
    page = client.get(reverse("site_list")).content.decode()
    assert "Reading your sites from Gandi" in page
    assert f'hx-get="{reverse("site_sync_status")}"' in page

    still_running = client.get(reverse("site_sync_status"), **HTMX)
    assert "HX-Refresh" not in still_running
    assert "Reading your sites from Gandi" in still_running.content.decode()

    sync_account_sites(account.pk)  # what the worker does with the queued task
    done = client.get(reverse("site_sync_status"), **HTMX)
    assert done["HX-Refresh"] == "true"
    after = client.get(reverse("site_list"))
    text = after.content.decode()
    assert "Reading your sites from Gandi" not in text
    assert "Synced Main account: 1 new, 0 changed, 0 gone, 0 unchanged." in text
    assert [s.name for s in after.context["page"].object_list] == ["Made outside"]


def test_a_failed_sync_says_why_on_the_list(client_for, alice, account, enqueued, simulator):
    client = client_for(alice)
    client.post(reverse("site_sync"))
    simulator.stop()
    assert sync_account_sites(account.pk).startswith("failed:")
    page = client.get(reverse("site_list")).content.decode()
    assert "The sync of Main account failed: " in page
    assert "Reading your sites from Gandi" not in page
    assert not Site.objects.exists()


def test_the_sync_button_brings_back_the_filtered_list(client_for, alice, account, enqueued):
    response = client_for(alice).post(reverse("site_sync"), {"list_query": "q=bakery&sort=-name"})
    assert response["Location"] == reverse("site_list") + "?q=bakery&sort=-name"


def test_without_a_sync_the_list_does_not_poll(client_for, alice, account):
    page = client_for(alice).get(reverse("site_list")).content.decode()
    assert reverse("site_sync_status") not in page


def test_the_periodic_sync_leaves_no_message_on_the_list(client_for, alice, account):
    gandi_site(account, "Made outside")
    sync_account_sites(account.pk)  # as beat's sync_all_accounts does, nobody pressed the button
    response = client_for(alice).get(reverse("site_list"))
    assert [s.name for s in response.context["page"].object_list] == ["Made outside"]
    assert 'data-testid="sync-result"' not in response.content.decode()


def test_a_crafted_list_query_cannot_break_the_redirect(client_for, alice, account, enqueued):
    response = client_for(alice).post(
        reverse("site_sync"), {"list_query": "q=a\r\nSet-Cookie: x=1&sort=//evil.example"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("site_list") + "?q=a%0D%0ASet-Cookie")


def test_the_list_shows_how_far_a_running_sync_has_got(
    client_for, alice, account, simulator, monkeypatch
):
    from sites_app.services import site_sync

    monkeypatch.setattr(site_sync, "PAGE_SIZE", 2)
    simulator.seed_sites(account.api_key(), 5)
    client = client_for(alice)
    sync = site_sync.start_pass(account, account.client())
    site_sync.read_page(account, account.client(), sync)
    site_sync.read_page(account, account.client(), sync)

    fragment = client.get(reverse("site_sync_status"), **HTMX)
    assert "HX-Refresh" not in fragment
    assert "Main account: 4 of 5 read" in " ".join(fragment.content.decode().split())
    page = client.get(reverse("site_list"))
    assert "4 of 5 read" in " ".join(page.content.decode().split())
    assert len(page.context["page"].object_list) == 4  # what was read is listed already

    site_sync.read_page(account, account.client(), sync)
    assert client.get(reverse("site_sync_status"), **HTMX)["HX-Refresh"] == "true"


def test_pressing_sync_while_a_pass_runs_shows_that_pass_and_then_its_result(
    client_for, alice, account, simulator, enqueued, monkeypatch
):
    from sites_app.services import site_sync

    monkeypatch.setattr(site_sync, "PAGE_SIZE", 2)
    simulator.seed_sites(account.api_key(), 3)
    sync = site_sync.start_pass(account, account.client())  # the periodic sync, running
    site_sync.read_page(account, account.client(), sync)
    client = client_for(alice)
    client.post(reverse("site_sync"))
    assert sync_account_sites(account.pk) == "already running"
    assert "2 of 3 read" in " ".join(client.get(reverse("site_list")).content.decode().split())

    site_sync.read_page(account, account.client(), sync)  # the running pass ends
    done = client.get(reverse("site_sync_status"), **HTMX)
    assert done["HX-Refresh"] == "true"
    text = client.get(reverse("site_list")).content.decode()
    assert "Synced Main account: 3 new, 0 changed, 0 gone, 0 unchanged." in text

"""The site page's Domains section: add, remove and make preferred in place (htmx), with a
status per row and the TXT steps of a new foreign domain shown in the section."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sites_app.models import Operation, OperationStatus, PendingRequest
from sites_app.services.verification import zone_parts
from tests.lifecycle.conftest import MANAGED_DOMAIN, run_to_the_end

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def inline(client, site, action: str, vhost: str):
    page = client.get(reverse("site_detail", args=[site.pk])).content.decode()
    key = re.search(r'name="request_key" value="([^"]+)"', page).group(1)
    return client.post(
        reverse("site_vhosts", args=[site.pk]),
        {"action": action, "vhost": vhost, "request_key": key},
        **HTMX,
    )


def statuses(html: str) -> dict[str, str]:
    rows = re.findall(
        r'data-vhost="([^"]+)".*?data-testid="domain-status">([^<]+)<', html, flags=re.S
    )
    return dict(rows)


def test_the_site_page_lists_domains_with_their_status(client_for, alice, synced_site):
    page = client_for(alice).get(reverse("site_detail", args=[synced_site.pk])).content.decode()
    assert statuses(page) == {
        f"www.{MANAGED_DOMAIN}": "active",
        f"shop.{MANAGED_DOMAIN}": "active",
        synced_site.parking_vhost: "parking",
    }
    assert 'data-testid="add-vhost"' in page


def test_an_inline_add_answers_with_the_page_part_and_no_redirect(
    client_for, alice, synced_site, enqueued
):
    client = client_for(alice)
    response = inline(client, synced_site, "add", f"blog.{MANAGED_DOMAIN}")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="site-live"' in html
    assert f"Adding blog.{MANAGED_DOMAIN}: queued for Gandi" in html
    assert statuses(html)[f"blog.{MANAGED_DOMAIN}"] == "updating"
    assert "hx-trigger" in html  # the part now follows the operation by itself
    op = Operation.objects.get()
    assert run_to_the_end(op).status == OperationStatus.DONE
    page = client.get(reverse("site_detail", args=[synced_site.pk])).content.decode()
    assert statuses(page)[f"blog.{MANAGED_DOMAIN}"] == "active"


def test_an_inline_error_keeps_the_typed_value(client_for, alice, synced_site):
    response = inline(client_for(alice), synced_site, "add", "bad_host.example")
    html = response.content.decode()
    assert "not a valid host name" in html
    assert 'aria-label="New vhost" value="bad_host.example"' in html
    assert not Operation.objects.exists()


def test_inline_prefer_and_remove(client_for, alice, synced_site, enqueued):
    client = client_for(alice)
    html = inline(client, synced_site, "prefer", f"shop.{MANAGED_DOMAIN}").content.decode()
    assert f"Making preferred: shop.{MANAGED_DOMAIN}" in html
    run_to_the_end(Operation.objects.get())
    assert synced_site.vhost_names()[0] == f"shop.{MANAGED_DOMAIN}"
    html = inline(client, synced_site, "remove", f"www.{MANAGED_DOMAIN}").content.decode()
    assert statuses(html)[f"www.{MANAGED_DOMAIN}"] == "removing"
    run_to_the_end(Operation.objects.latest("pk"))
    assert f"www.{MANAGED_DOMAIN}" not in synced_site.vhost_names()


def test_a_foreign_domain_shows_its_txt_steps_in_place(client_for, alice, synced_site):
    html = inline(client_for(alice), synced_site, "add", "www.my-shop.co.uk").content.decode()
    pending = PendingRequest.objects.get()
    record = pending.records.get()
    assert "www.my-shop.co.uk needs a TXT record first" in html
    assert statuses(html)["www.my-shop.co.uk"] == "TXT needed"
    assert (
        '<code data-testid="txt-relative">www</code> in the zone <code>my-shop.co.uk</code>' in html
    )
    assert f"<code>{record.txt_name}</code>" in html and record.txt_value in html


def test_zone_parts_follow_the_public_suffix_list():
    assert zone_parts("www.shop.example.co.uk") == ("www.shop", "example.co.uk")
    assert zone_parts("example.com.") == ("@", "example.com")
    assert zone_parts("a.b.unknown-tld") == ("a", "b.unknown-tld")


def test_the_delete_page_lists_what_is_lost(client_for, alice, synced_site):
    page = client_for(alice).get(reverse("site_delete", args=[synced_site.pk])).content.decode()
    assert "What is lost:" in page
    assert "nothing is refunded" in page
    assert f"Its 3 vhosts, among them www.{MANAGED_DOMAIN}" in page
    assert "Type the site" in page  # the site's own confirmation: type its name

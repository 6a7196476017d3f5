"""International vhosts read in Unicode next to their punycode wherever vhosts are shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sites_app.models import Operation, PendingRequest, Site
from sites_app.services.sites import sync_account
from tests.lifecycle.conftest import MANAGED_DOMAIN, gandi_site, post_create
from tests.lifecycle.test_create_views import form_data

pytestmark = pytest.mark.django_db

PUNY = f"xn--bcher-kva.{MANAGED_DOMAIN}"
SHOWN = f'<span data-testid="vhost-unicode">bücher.{MANAGED_DOMAIN}</span> '
SHOWN += f'<span class="text-body-secondary">({PUNY})</span>'


@pytest.fixture
def idn_site(account):
    gandi_site(account, "Book shop", [PUNY])
    sync_account(account)
    return Site.objects.get(name="Book shop")


def test_the_list_the_site_page_and_the_vhosts_page_show_both_forms(client_for, alice, idn_site):
    client = client_for(alice)
    for url in [
        reverse("site_list"),
        reverse("site_detail", args=[idn_site.pk]),
        reverse("site_vhosts", args=[idn_site.pk]),
    ]:
        assert SHOWN in client.get(url).content.decode(), url


def test_a_plain_vhost_is_shown_once(client_for, alice, idn_site):
    page = client_for(alice).get(reverse("site_detail", args=[idn_site.pk])).content.decode()
    parking = Site.objects.get().parking_vhost
    assert f'<span class="font-monospace">{parking}</span>' in page
    assert f"({parking})" not in page


def test_the_operation_page_shows_the_request_in_plain_words(client_for, alice, account, enqueued):
    client = client_for(alice)
    post_create(
        client,
        form_data(client, vhosts=f"bücher.{MANAGED_DOMAIN}\nwww.{MANAGED_DOMAIN}"),
    )
    op = Operation.objects.get()
    page = client.get(reverse("operation_detail", args=[op.pk])).content.decode()
    assert f"{SHOWN}<br>www.{MANAGED_DOMAIN}" in page  # one vhost per line
    assert 'data-testid="request-paid-for">3 months</dd>' in page
    assert "gandi_site_id" not in page


def test_the_txt_page_names_the_domain_in_unicode_too(client_for, alice, account, enqueued):
    client = client_for(alice)
    post_create(client, form_data(client, vhosts="www.bücher.example"))
    pending = PendingRequest.objects.get()
    page = client.get(reverse("verification_detail", args=[pending.pk])).content.decode()
    assert '<span data-testid="vhost-unicode">www.bücher.example</span>' in page
    # The record itself stays in punycode: that is what goes into the zone.
    assert 'data-copy="www.xn--bcher-kva.example"' in page

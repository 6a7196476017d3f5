"""What a create through the form costs in Gandi calls: offers read once, then the dry run."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sites_app.models import Operation
from tests.lifecycle.conftest import MANAGED_DOMAIN, post_create

pytestmark = pytest.mark.django_db


def test_the_create_form_reads_gandis_offers_once_for_the_page_and_its_post(
    client_for, alice, account, simulator, enqueued
):
    client = client_for(alice)
    for n in range(3):
        page = client.get(reverse("site_create"))
        response = post_create(
            client,
            {
                "account": account.pk,
                "name": f"Corner shop {n}",
                "provider": "basekit_whitelabel",
                "package": "professional",
                "duration": "3m",
                "vhosts": f"www{n}.{MANAGED_DOMAIN}",
                "request_key": page.context["form"]["request_key"].value(),
            },
        )
        assert response.status_code == 302

    calls = simulator.calls()
    assert calls["site.package.list"] == 1  # three pages and three posts: read once
    assert calls["site.create"] == 3  # the dry runs; the creates are the worker's
    assert Operation.objects.count() == 3

"""A page of site.list read before the portal learnt something newer (a delete that just
finished, an upgrade just applied) does not undo it when it is stored a moment later."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sites_app.models import Site
from sites_app.services import site_sync
from sites_app.services.sites import mark_removed
from tests.lifecycle.conftest import gandi_site

pytestmark = pytest.mark.django_db


def test_a_stale_page_neither_revives_a_site_just_gone_nor_overwrites_fresher_data(account):
    gandi_site(account, "Gone soon")
    gandi_site(account, "Upgraded")
    site_sync.sync_account(account)
    gone = Site.objects.get(account=account, name="Gone soon")
    upgraded = Site.objects.get(account=account, name="Upgraded")
    client = account.client()
    read_page = client.site_list

    def page_then_news(*args, **kwargs):
        page = read_page(*args, **kwargs)
        # Between Gandi's answer and storing it, the portal learns newer facts.
        mark_removed(gone)
        Site.objects.filter(pk=upgraded.pk).update(
            package="professional", last_synced_at=timezone.now()
        )
        return page

    client.site_list = page_then_news
    site_sync.sync_account(account, client)

    gone.refresh_from_db()
    assert gone.is_removed
    assert not Site.objects.present().filter(pk=gone.pk).exists()
    upgraded.refresh_from_db()
    assert upgraded.package == "professional"
    assert not upgraded.is_removed

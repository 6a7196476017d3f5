"""Background site.info reads: one site Gandi will not give a readable answer for is set
aside, and the sites after it are still read."""

from __future__ import annotations

import pytest

from sites_app.models import Site
from sites_app.services import site_details
from sites_app.services.sites import sync_account
from tests.lifecycle.conftest import gandi_site

pytestmark = pytest.mark.django_db


def test_one_unreadable_site_does_not_block_the_reads_of_the_others(account, simulator):
    unreadable = gandi_site(account, "Aardvark")  # the lowest Gandi id: read first
    readable = gandi_site(account, "Zebra")
    sync_account(account)
    # Gandi answers site.info for this one in a shape the portal cannot read, every time.
    simulator.store.sites[str(unreadable)]["id"] = "not a number"
    Site.objects.filter(account=account).update(details_due=True, details_read_at=None)

    still_due = site_details.read_due(account, account.client())

    assert not still_due
    zebra = Site.objects.get(account=account, gandi_id=readable)
    assert not zebra.details_due
    assert zebra.details_read_at is not None
    aardvark = Site.objects.get(account=account, gandi_id=unreadable)
    assert not aardvark.details_due  # set aside until the rolling refresh, not retried at once
    assert aardvark.details_read_at is not None
    assert not aardvark.is_removed  # still listed: it exists

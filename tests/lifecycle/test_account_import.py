"""Adding a Gandi account imports its sites at once (issue 10, item 8)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sites_app.models import GandiAccount


@pytest.fixture(autouse=True)
def loopback_http(settings):
    """The simulator is plain http on loopback, which a custom endpoint accepts only in DEBUG."""
    settings.DEBUG = True


def test_adding_an_account_imports_its_sites_at_once(
    alice,
    client_for,
    simulator,
    enqueued,
    django_capture_on_commit_callbacks,
):
    key = simulator.add_account()
    data = {"name": "Main", "endpoint": "custom", "custom_url": simulator.url, "api_key": key}
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(reverse("gandi_account_create"), data)
    assert response.status_code == 302
    account = GandiAccount.objects.get()
    assert [(e.task, e.args) for e in enqueued] == [("sites_app.sync_account_sites", (account.pk,))]
    # The list says it is reading them, as after "Sync from Gandi".
    html = client_for(alice).get(reverse("site_list")).content.decode()
    assert "Reading your sites from Gandi" in html

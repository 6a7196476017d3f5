"""Live fragments: polled often, answered "no content" until what they show changes, and
quiet once nothing is in flight (the site page, an operation's progress, the operations table)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from sites_app.models import Operation, OperationKind, OperationStatus, Site, VirtualHost
from sites_app.services.operations import request_operation

pytestmark = pytest.mark.django_db

POLL = re.compile(r'hx-get="(?P<url>[^"?]+)\?(?:[^"]*&amp;)?v=(?P<v>\w+)" hx-trigger="every 500ms"')


@pytest.fixture
def busy_site(account, alice, enqueued):
    site = Site.objects.create(
        account=account, gandi_id=31, name="Busy shop", state="being_updated"
    )
    VirtualHost.objects.create(site=site, name="busy.basekit-site.example", position=0)
    op, _ = request_operation(
        account=account,
        kind=OperationKind.UPDATE_VHOSTS,
        user=alice,
        params={"vhosts": ["busy.basekit-site.example", "new.basekit-site.example"]},
        idempotency_key="live-test-0001",
        site=site,
    )
    return site, op


def finish(site: Site, op: Operation) -> None:
    """What the worker writes when Gandi says DONE."""
    Operation.objects.filter(pk=op.pk).update(
        status=OperationStatus.DONE,
        gandi_step="DONE",
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    VirtualHost.objects.create(site=site, name="new.basekit-site.example", position=1)
    Site.objects.filter(pk=site.pk).update(state="active", last_synced_at=timezone.now())


def poll_of(html: str) -> tuple[str, str]:
    match = POLL.search(html)
    assert match, "the fragment does not poll"
    return match["url"], match["v"]


def test_the_site_page_polls_and_refreshes_itself_when_the_operation_ends(
    client_for, alice, busy_site, monkeypatch
):
    from sites_app.services import sites as site_service

    monkeypatch.setattr(site_service, "refresh_site_in_view", lambda site: "")
    site, op = busy_site
    client = client_for(alice)
    url, version = poll_of(client.get(reverse("site_detail", args=[site.pk])).content.decode())
    assert url == reverse("site_live", args=[site.pk])

    unchanged = client.get(url, {"v": version})
    assert unchanged.status_code == 204 and unchanged.content == b""

    finish(site, op)
    fresh = client.get(url, {"v": version})
    html = fresh.content.decode()
    assert fresh.status_code == 200
    assert 'data-testid="site-state">Active<' in html
    assert "new.basekit-site.example" in html
    assert "hx-trigger" not in html  # nothing in flight: the page stops asking


def test_the_live_site_fragment_never_calls_gandi(client_for, alice, busy_site, monkeypatch):
    from sites_app.services import sites as site_service

    def refuse(site):
        raise AssertionError("the live fragment read Gandi")

    monkeypatch.setattr(site_service, "refresh_site_in_view", refuse)
    site, _op = busy_site
    assert client_for(alice).get(reverse("site_live", args=[site.pk])).status_code == 200


def test_an_operations_progress_is_sent_again_only_when_it_changed(client_for, alice, busy_site):
    site, op = busy_site
    client = client_for(alice)
    url, version = poll_of(client.get(reverse("operation_detail", args=[op.pk])).content.decode())
    assert client.get(url, {"v": version}).status_code == 204
    finish(site, op)
    html = client.get(url, {"v": version}).content.decode()
    assert 'data-testid="op-status">Done<' in html and "hx-trigger" not in html


def test_the_operations_table_is_sent_again_only_when_it_changed(client_for, alice, busy_site):
    site, op = busy_site
    client = client_for(alice)
    page = client.get(reverse("operation_list"), {"kind": "update_vhosts"}).content.decode()
    url, version = poll_of(page)
    assert 'hx-get="/operations/table/?kind=update_vhosts&amp;v=' in page  # keeps the filter
    assert client.get(url, {"kind": "update_vhosts", "v": version}).status_code == 204
    finish(site, op)
    html = client.get(url, {"kind": "update_vhosts", "v": version}).content.decode()
    assert ">Done<" in html and "hx-trigger" not in html


def test_the_sites_table_polls_while_a_site_on_it_is_changing(client_for, alice, busy_site):
    site, op = busy_site
    client = client_for(alice)
    url, version = poll_of(client.get(reverse("site_list"), {"q": "busy"}).content.decode())
    assert url == reverse("site_table")
    assert client.get(url, {"q": "busy", "v": version}).status_code == 204
    finish(site, op)
    html = client.get(url, {"q": "busy", "v": version}).content.decode()
    assert 'data-testid="site-state">Active<' in html and "hx-trigger" not in html


def test_the_sites_table_of_settled_sites_does_not_poll(client_for, alice, busy_site):
    site, op = busy_site
    finish(site, op)
    assert "hx-trigger" not in client_for(alice).get(reverse("site_list")).content.decode()

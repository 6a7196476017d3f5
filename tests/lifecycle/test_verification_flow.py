"""A forgiving TXT flow: fix a vhost without starting over, names relative to the zone, and
"create as soon as every record is seen" done by the background re-check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sites_app.models import AuditEvent, Operation, PendingRequest, Role
from sites_app.models.teams import Membership
from sites_app.services import verification
from tests.lifecycle.conftest import MANAGED_DOMAIN, post_create
from tests.lifecycle.test_create_views import form_data

pytestmark = pytest.mark.django_db


def start(client, vhosts: str) -> PendingRequest:
    post_create(client, form_data(client, vhosts=vhosts))
    return PendingRequest.objects.get()


def due_now():
    PendingRequest.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))


def test_the_page_shows_names_relative_to_the_zone_and_in_full(client_for, alice, account):
    client = client_for(alice)
    pending = start(client, "www.corner-shop.co.uk")
    page = client.get(reverse("verification_detail", args=[pending.pk])).content.decode()
    assert "Name in the zone corner-shop.co.uk" in page
    assert '<td class="font-monospace text-break" data-testid="txt-relative">www</td>' in page
    assert 'data-testid="txt-name">www.corner-shop.co.uk</td>' in page


def test_a_typo_is_fixed_without_starting_over(client_for, alice, account, simulator):
    client = client_for(alice)
    pending = start(client, f"www.typo-shop.example\nwww.{MANAGED_DOMAIN}")
    key, price = pending.idempotency_key, pending.params["price"]
    response = client.post(
        reverse("verification_edit", args=[pending.pk]),
        {"vhosts": f"www.right-shop.example\nwww.{MANAGED_DOMAIN}"},
        follow=True,
    )
    assert "Request corrected" in response.content.decode()
    pending.refresh_from_db()
    assert pending.params["vhosts"] == ["www.right-shop.example", f"www.{MANAGED_DOMAIN}"]
    assert (pending.idempotency_key, pending.params["price"]) == (key, price)
    assert [r.vhost for r in pending.records.all()] == ["www.right-shop.example"]
    assert AuditEvent.objects.filter(action="site.verification_edited").count() == 1


def test_a_bad_correction_is_explained_and_keeps_what_was_typed(client_for, alice, account):
    client = client_for(alice)
    pending = start(client, "www.typo-shop.example")
    response = client.post(
        reverse("verification_edit", args=[pending.pk]), {"vhosts": "bad_host.example"}
    )
    text = response.content.decode()
    assert "not a valid host name" in text
    assert ">bad_host.example</textarea>" in text
    pending.refresh_from_db()
    assert pending.params["vhosts"] == ["www.typo-shop.example"]


def test_auto_create_is_sent_by_the_background_recheck_in_the_choosers_name(
    client_for, alice, account, simulator, enqueued
):
    client = client_for(alice)
    pending = start(client, "www.auto-shop.example")
    response = client.post(reverse("verification_auto", args=[pending.pk]), follow=True)
    assert "as soon as DNS shows every record" in response.content.decode()
    due_now()
    verification.recheck_due()
    assert not Operation.objects.exists()  # not seen yet: nothing sent

    record = pending.records.get()
    simulator.publish_txt(record.txt_name, record.txt_value)
    due_now()
    verification.recheck_due()
    op = Operation.objects.get()
    assert op.requested_by == alice
    assert op.params["vhosts"] == ["www.auto-shop.example"]
    event = AuditEvent.objects.get(action="site.verification_auto_submitted")
    assert (event.actor, event.outcome) == (alice, "success")


def test_auto_create_is_not_sent_when_the_chooser_lost_the_spend_right(
    client_for, alice, account, simulator, enqueued
):
    client = client_for(alice)
    pending = start(client, "www.demoted.example")
    client.post(reverse("verification_auto", args=[pending.pk]))
    Membership.objects.filter(user=alice).update(role=Role.OPERATOR)
    record = pending.records.get()
    simulator.publish_txt(record.txt_name, record.txt_value)
    due_now()
    verification.recheck_due()
    assert not Operation.objects.exists()
    event = AuditEvent.objects.get(action="site.verification_auto_submitted")
    assert event.outcome == "failure"
    assert "no longer has the right" in event.detail["message"]

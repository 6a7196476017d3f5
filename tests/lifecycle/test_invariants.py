"""ARCHITECTURE §5 invariants, checked across every changing view of the site lifecycle."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sites_app.models import AuditEvent, Operation, PendingRequest
from tests.lifecycle.conftest import (
    MANAGED_DOMAIN,
    gandi_operation_count,
    post_create,
    upgrade_form,
)

pytestmark = pytest.mark.django_db


def test_no_view_makes_gandi_act_they_only_write_rows(
    client_for, alice, account, synced_site, simulator, enqueued
):
    baseline = gandi_operation_count(account)  # the synced site's own creation
    client = client_for(alice)
    site = synced_site
    page = client.get(reverse("site_create"))
    form = page.context["form"]
    post_create(
        client,
        {
            "account": str(account.pk),
            "name": "Invariant",
            "provider": "basekit_whitelabel",
            "package": "personal",
            "duration": "1m",
            "vhosts": "www.proof-needed.example",
            "request_key": form["request_key"].value(),
        },
    )
    pending = PendingRequest.objects.get()
    record = pending.records.get()
    simulator.publish_txt(record.txt_name, record.txt_value)
    client.post(reverse("verification_check", args=[pending.pk]))
    client.post(reverse("verification_confirm", args=[pending.pk]))
    client.post(
        reverse("site_vhosts", args=[site.pk]),
        {"action": "prefer", "vhost": f"shop.{MANAGED_DOMAIN}", "request_key": "inv-vhosts-1"},
    )
    vhost_op = Operation.objects.get(kind="update_vhosts")
    client.post(reverse("operation_cancel", args=[vhost_op.pk]))
    client.post(reverse("operation_retry", args=[vhost_op.pk]), {"request_key": "inv-retry-1"})
    Operation.objects.filter(kind="update_vhosts").update(status="done")
    client.post(
        reverse("site_upgrade", args=[site.pk]),
        upgrade_form(client, site, "business", "inv-upgrade-1"),
    )
    Operation.objects.filter(kind="upgrade").update(status="done")
    client.post(
        reverse("site_delete", args=[site.pk]),
        {"confirm_name": site.name, "request_key": "inv-delete-1"},
    )
    client.post(reverse("site_edit_link", args=[site.pk]))
    client.post(reverse("site_sync"))

    kinds = sorted(Operation.objects.values_list("kind", flat=True))
    assert kinds == ["create", "delete", "update_vhosts", "update_vhosts", "upgrade"]
    assert gandi_operation_count(account) == baseline  # Gandi acted on nothing
    assert simulator.calls()["site.delete"] == 0
    assert simulator.calls()["operation.cancel"] == 0
    # Every request was audited as requested, by the person who asked.
    requested = AuditEvent.objects.filter(outcome="requested", actor=alice)
    assert requested.filter(action__in=["site.create", "site.upgrade", "site.delete"]).count() == 3


def test_task_messages_carry_ids_only(client_for, alice, account, synced_site, enqueued):
    client = client_for(alice)
    client.post(
        reverse("site_vhosts", args=[synced_site.pk]),
        {"action": "prefer", "vhost": f"shop.{MANAGED_DOMAIN}", "request_key": "ids-only-1"},
    )
    client.post(reverse("site_sync"))
    from sites_app.services import operations

    operations.submit_operation(Operation.objects.get().pk)
    assert enqueued
    for message in enqueued:
        assert all(isinstance(arg, int) for arg in message.args), message
        assert account.api_key() not in repr(message)


def test_the_dashboard_shows_the_sites_panel(client_for, alice, synced_site):
    page = client_for(alice).get(reverse("dashboard")).content.decode()
    assert 'data-testid="sites-panel"' in page
    assert "See all sites" in page

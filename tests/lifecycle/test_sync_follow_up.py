"""A site changing at Gandi outside the portal is synced again soon, not in 10 minutes."""

from datetime import timedelta

from django.utils import timezone

from sites_app import tasks
from sites_app.models import Site
from sites_app.services import sync_status
from sites_app.services.sites import sync_account

from .conftest import gandi_site


def test_a_site_being_created_outside_is_synced_again_soon(account, simulator, enqueued):
    simulator.step_seconds = 5  # the outside create is still running during the sync
    account.client().site_create(name="Outside", vhosts=["outside.basekit-site.example"])

    tasks.sync_account_sites(account.pk)

    assert Site.objects.get(name="Outside").state == "being_created"
    [follow_up] = enqueued
    assert follow_up.task == "sites_app.sync_account_sites"
    assert follow_up.args == (account.pk, sync_status.FOLLOW_UPS - 1)
    assert follow_up.kwargs["countdown"] == sync_status.FOLLOW_UP_SECONDS


def test_no_follow_up_when_every_site_is_settled_or_the_follow_ups_are_spent(
    account, simulator, enqueued
):
    gandi_site(account, "Settled")
    tasks.sync_account_sites(account.pk)
    assert enqueued == []

    simulator.step_seconds = 5
    account.client().site_create(name="Slow", vhosts=["slow.basekit-site.example"])
    tasks.sync_account_sites(account.pk, 0)
    assert Site.objects.get(name="Slow").state == "being_created"
    assert enqueued == []


def test_a_site_the_portal_is_polling_needs_no_follow_up_sync(synced_site, enqueued):
    from sites_app.models import Operation, OperationKind, OperationStatus

    Site.objects.filter(pk=synced_site.pk).update(state="being_updated")
    Operation.objects.create(
        account=synced_site.account,
        site=synced_site,
        kind=OperationKind.UPDATE_VHOSTS,
        status=OperationStatus.IN_PROGRESS,
        idempotency_key="k" * 16,
        deadline=timezone.now() + timedelta(minutes=30),
    )
    assert not sync_status.changing_outside_the_portal(synced_site.account_id)
    sync_account(synced_site.account)  # Gandi says active: settled again
    assert not sync_status.changing_outside_the_portal(synced_site.account_id)

"""Thin Celery tasks: ids in, re-fetch the row, call a service. Names never change once deployed.

Retries are the services' business (they know which failures are safe to repeat); a task
never retries on a bare exception.
"""

from __future__ import annotations

from celery import shared_task

from sites_app.services import (
    operations,
    polling,
    recovery,
    site_refresh,
    sync_status,
    verification,
)


@shared_task(name="sites_app.submit_operation")
def submit_operation(operation_id: int) -> None:
    operations.submit_operation(operation_id)


@shared_task(name="sites_app.recover_operation")
def recover_operation(operation_id: int) -> None:
    recovery.recover_operation(operation_id)


@shared_task(name="sites_app.cancel_operation")
def cancel_operation(operation_id: int) -> None:
    operations.send_cancel(operation_id)


@shared_task(name="sites_app.poll_account_operations")
def poll_account_operations(account_id: int) -> None:
    polling.poll_account_operations(account_id)


@shared_task(name="sites_app.reconcile_operations")
def reconcile_operations() -> dict[str, int]:
    return polling.reconcile_operations()


@shared_task(name="sites_app.refresh_site")
def refresh_site(site_id: int) -> str:
    return site_refresh.refresh_site_by_id(site_id)


@shared_task(name="sites_app.sync_account_sites")
def sync_account_sites(account_id: int, follow_ups_left: int = sync_status.FOLLOW_UPS) -> str:
    return sync_status.run_sync(account_id, follow_ups_left)


@shared_task(name="sites_app.sync_account_sites_pages")
def sync_account_sites_pages(account_id: int, pass_number: int, follow_ups_left: int = 0) -> str:
    return sync_status.run_sync(account_id, follow_ups_left, pass_number=pass_number)


@shared_task(name="sites_app.read_site_details")
def read_site_details(account_id: int) -> str:
    return sync_status.read_details(account_id)


@shared_task(name="sites_app.continue_site_syncs")
def continue_site_syncs() -> dict[str, int]:
    return sync_status.continue_syncs()


@shared_task(name="sites_app.sync_all_accounts")
def sync_all_accounts() -> int:
    from sites_app.models import GandiAccount

    ids = list(GandiAccount.objects.values_list("pk", flat=True))
    for account_id in ids:
        sync_account_sites.delay(account_id)
    return len(ids)


@shared_task(name="sites_app.recheck_pending_verifications")
def recheck_pending_verifications() -> int:
    return verification.recheck_due()

"""Declarations for sites, vhosts, TXT verification and operations (the site lifecycle).

The world's Gandi account refuses connections, so these checks also prove that a Gandi that
cannot be reached gives a message, never a 500.
"""

from datetime import timedelta

from sites_app.access import Right
from tests.matrix import Route, World, declare


def _site(world: World):
    from sites_app.models import Site, VirtualHost

    site, created = Site.objects.get_or_create(
        account=world.gandi_account,
        gandi_id=4242,
        defaults={
            "name": "Matrix site",
            "state": "active",
            "package": "personal",
            "provider": "basekit_whitelabel",
            "parking_vhost": "matrix.basekit-site.example",
        },
    )
    if created:
        VirtualHost.objects.create(site=site, name="matrix.basekit-site.example", position=0)
    return site


def _site_kwargs(world: World) -> dict:
    return {"site_id": _site(world).pk}


def _operation_kwargs(world: World) -> dict:
    from django.utils import timezone

    from sites_app.models import Operation, OperationKind, OperationStatus

    op = Operation.objects.create(
        account=world.gandi_account,
        kind=OperationKind.CREATE,
        site_name="Matrix new site",
        params={"name": "Matrix new site", "vhosts": ["new.basekit-site.example"]},
        idempotency_key=f"matrix-{timezone.now().timestamp()}",
        status=OperationStatus.FAILED,
        retry_safe=True,
        deadline=timezone.now() + timedelta(minutes=30),
    )
    return {"operation_id": op.pk}


def _pending_kwargs(world: World) -> dict:
    from django.utils import timezone

    from sites_app.models import OwnershipRecord, PendingRequest

    pending = PendingRequest.objects.create(
        account=world.gandi_account,
        kind=PendingRequest.Kind.CREATE,
        params={"name": "Matrix proof", "vhosts": ["www.matrix-proof.invalid"]},
        idempotency_key=f"matrix-{timezone.now().timestamp()}",
    )
    OwnershipRecord.objects.create(
        pending=pending,
        vhost="www.matrix-proof.invalid",
        txt_name="www.matrix-proof.invalid",
        txt_value="vhost=0123456789abcdef0123456789abcdef",
        seen=True,  # so a check makes no DNS query and the matrix stays fast
    )
    return {"pending_id": pending.pk}


declare(
    Route("site_list", get=Right.VIEW),
    Route("site_table", get=Right.VIEW),
    Route("site_sync", post=Right.OPERATE),
    Route("site_sync_status", get=Right.VIEW),
    Route("site_create", get=Right.SPEND, post=Right.SPEND),
    Route("site_detail", get=Right.VIEW, kwargs=_site_kwargs),
    Route("site_live", get=Right.VIEW, kwargs=_site_kwargs),
    Route("site_operations_fragment", get=Right.VIEW, kwargs=_site_kwargs),
    Route("site_edit_link", post=Right.OPERATE, kwargs=_site_kwargs),
    Route("site_vhosts", get=Right.OPERATE, post=Right.OPERATE, kwargs=_site_kwargs),
    Route("site_upgrade", get=Right.SPEND, post=Right.SPEND, kwargs=_site_kwargs),
    Route("site_delete", get=Right.DELETE, post=Right.DELETE, kwargs=_site_kwargs),
    Route("verification_detail", get=Right.VIEW, kwargs=_pending_kwargs),
    Route("verification_records", get=Right.VIEW, kwargs=_pending_kwargs),
    Route("verification_check", post=Right.OPERATE, kwargs=_pending_kwargs),
    Route("verification_confirm", post=Right.SPEND, kwargs=_pending_kwargs),
    Route("verification_abandon", post=Right.OPERATE, kwargs=_pending_kwargs),
    Route("verification_edit", post=Right.SPEND, kwargs=_pending_kwargs),
    Route("verification_auto", post=Right.SPEND, kwargs=_pending_kwargs),
    Route("operation_list", get=Right.VIEW),
    Route("dashboard_operations", get=Right.VIEW),
    Route("operation_table", get=Right.VIEW),
    Route("operation_detail", get=Right.VIEW, kwargs=_operation_kwargs),
    Route("operation_progress", get=Right.VIEW, kwargs=_operation_kwargs),
    Route("operation_cancel", post=Right.OPERATE, kwargs=_operation_kwargs),
    Route("operation_retry", post=Right.SPEND, kwargs=_operation_kwargs),
)

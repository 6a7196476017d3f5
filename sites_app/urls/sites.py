"""URLs of sites, vhosts, operations and TXT verification."""

from django.urls import path

from sites_app.views import create, operations, site_list, sites, verification, vhosts

urlpatterns = [
    path("sites/", site_list.site_list, name="site_list"),
    path("sites/table/", site_list.site_table, name="site_table"),
    path("sites/sync/", sites.site_sync, name="site_sync"),
    path("sites/sync/status/", sites.site_sync_status, name="site_sync_status"),
    path("sites/new/", create.site_create, name="site_create"),
    path("sites/<int:site_id>/", sites.site_detail, name="site_detail"),
    path("sites/<int:site_id>/live/", sites.site_live, name="site_live"),
    path(
        "sites/<int:site_id>/operations/",
        sites.site_operations_fragment,
        name="site_operations_fragment",
    ),
    path("sites/<int:site_id>/edit/", sites.site_edit_link, name="site_edit_link"),
    path("sites/<int:site_id>/vhosts/", vhosts.site_vhosts, name="site_vhosts"),
    path("sites/<int:site_id>/upgrade/", sites.site_upgrade, name="site_upgrade"),
    path("sites/<int:site_id>/delete/", sites.site_delete, name="site_delete"),
    path(
        "verifications/<int:pending_id>/",
        verification.verification_detail,
        name="verification_detail",
    ),
    path(
        "verifications/<int:pending_id>/records/",
        verification.verification_records,
        name="verification_records",
    ),
    path(
        "verifications/<int:pending_id>/check/",
        verification.verification_check,
        name="verification_check",
    ),
    path(
        "verifications/<int:pending_id>/confirm/",
        verification.verification_confirm,
        name="verification_confirm",
    ),
    path(
        "verifications/<int:pending_id>/edit/",
        verification.verification_edit,
        name="verification_edit",
    ),
    path(
        "verifications/<int:pending_id>/auto/",
        verification.verification_auto,
        name="verification_auto",
    ),
    path(
        "verifications/<int:pending_id>/abandon/",
        verification.verification_abandon,
        name="verification_abandon",
    ),
    path("operations/", operations.operation_list, name="operation_list"),
    path(
        "operations/in-progress/",
        operations.dashboard_operations,
        name="dashboard_operations",
    ),
    path("operations/table/", operations.operation_table, name="operation_table"),
    path("operations/<int:operation_id>/", operations.operation_detail, name="operation_detail"),
    path(
        "operations/<int:operation_id>/progress/",
        operations.operation_progress,
        name="operation_progress",
    ),
    path(
        "operations/<int:operation_id>/cancel/",
        operations.operation_cancel,
        name="operation_cancel",
    ),
    path(
        "operations/<int:operation_id>/retry/",
        operations.operation_retry,
        name="operation_retry",
    ),
]

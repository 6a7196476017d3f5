"""Django admin for staff. Audit events are read-only; API keys never appear."""

from django.contrib import admin
from django.db import models

from .models import (
    ApiToken,
    AuditEvent,
    GandiAccount,
    Invitation,
    Membership,
    Operation,
    OwnershipRecord,
    PendingRequest,
    Site,
    Team,
    VirtualHost,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "team__name"]
    autocomplete_fields = ["user", "team"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "team", "role", "status", "created_at", "expires_at"]
    list_filter = ["role"]
    search_fields = ["email", "team__name"]
    # The token exists only as a hash; editing it would only break the link.
    readonly_fields = ["token_hash", "created_at", "accepted_at", "accepted_by", "invited_by"]

    def has_add_permission(self, request):
        return False  # invitations are sent from the portal, which shows the link once


@admin.register(GandiAccount)
class GandiAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "endpoint", "key_hint", "last_success_at"]
    list_filter = ["endpoint"]
    search_fields = ["name", "team__name"]
    # api_key_encrypted is editable=False, so it never shows; keys are set in the portal,
    # where they are checked with Gandi first. The endpoint is read-only too: moving an
    # account goes through the portal, which asks for the key again and audits the change.
    readonly_fields = [
        "endpoint",
        "custom_url",
        "key_hint",
        "last_success_at",
        "last_check_error",
        "created_by",
        "created_at",
    ]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "actor_label",
        "action",
        "object_type",
        "object_label",
        "outcome",
        "team",
    ]
    list_filter = ["outcome", "action"]
    search_fields = ["actor_label", "action", "object_label", "object_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- site lifecycle (sites, vhosts, ownership proofs, operations) ---


class VirtualHostInline(admin.TabularInline):
    model = VirtualHost
    extra = 0
    fields = ["position", "name", "ownership", "txt_name", "txt_value", "last_dns_check_at"]
    readonly_fields = ["last_dns_check_at"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "gandi_id", "account", "package", "state", "paid_until", "removed_at"]
    list_filter = ["state", "package", "account__team"]
    search_fields = ["name", "gandi_id", "vhosts__name"]
    readonly_fields = ["last_synced_at"]
    inlines = [VirtualHostInline]


class OwnershipRecordInline(admin.TabularInline):
    model = OwnershipRecord
    extra = 0
    readonly_fields = [
        "vhost",
        "txt_name",
        "txt_value",
        "ttl",
        "seen",
        "last_checked_at",
        "last_answer",
    ]


@admin.register(PendingRequest)
class PendingRequestAdmin(admin.ModelAdmin):
    list_display = ["__str__", "account", "kind", "status", "check_count", "created_at"]
    list_filter = ["status", "kind"]
    inlines = [OwnershipRecordInline]


@admin.register(Operation)
class OperationAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "kind",
        "site_name",
        "account",
        "status",
        "gandi_step",
        "gandi_operation_id",
        "created_at",
    ]
    list_filter = ["status", "kind", "gandi_step"]
    search_fields = ["site_name", "gandi_operation_id", "idempotency_key"]
    date_hierarchy = "created_at"
    # Status moves only through the services (conditional updates); staff read, not write.
    readonly_fields = [f.name for f in Operation._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Staff may see and revoke tokens; the secret exists only as a hash and is not shown."""

    list_display = ["name", "visible_id", "team", "created_by", "access", "expires_at", "status"]
    list_filter = ["access"]
    search_fields = ["name", "key_id", "created_by__username", "team__name"]
    exclude = ["secret_hash"]
    readonly_fields = ["team", "created_by", "key_id", "created_at", "last_used_at", "last_used_ip"]

"""Django admin for staff. Audit events are read-only; API keys never appear."""

from django.contrib import admin

from .models import AuditEvent, GandiAccount, Invitation, Membership, Team


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


@admin.register(GandiAccount)
class GandiAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "endpoint", "key_hint", "last_success_at"]
    list_filter = ["endpoint"]
    search_fields = ["name", "team__name"]
    # api_key_encrypted is editable=False, so it never shows; keys are set in the portal,
    # where they are checked with Gandi first.
    readonly_fields = [
        "key_hint",
        "last_success_at",
        "last_check_error",
        "created_by",
        "created_at",
    ]

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

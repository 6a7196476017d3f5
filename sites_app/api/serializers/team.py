"""The team's Gandi accounts (never the key), members and audit events."""

from __future__ import annotations

from rest_framework import serializers

from sites_app.models import AuditEvent, GandiAccount, Membership


class GandiAccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = GandiAccount
        fields = ["id", "name", "endpoint", "last_success_at", "last_check_error", "created_at"]


class ConnectionSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    message = serializers.CharField()


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.get_full_name")

    class Meta:
        model = Membership
        fields = ["id", "username", "name", "role", "created_at"]


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_label",
            "outcome",
            "detail",
            "ip_address",
        ]


class AuditFilterSerializer(serializers.Serializer):
    actor = serializers.CharField(required=False, max_length=150)
    action = serializers.CharField(required=False, max_length=64)
    object_type = serializers.CharField(required=False, max_length=64)
    object_id = serializers.CharField(required=False, max_length=64)

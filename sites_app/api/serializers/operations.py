"""Operations: the rows that follow every change at Gandi."""

from __future__ import annotations

from rest_framework import serializers

from sites_app.models import Operation, OperationKind, OperationStatus


class OperationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:operation-detail")
    account = serializers.IntegerField(source="account_id", read_only=True)
    site = serializers.IntegerField(source="site_id", read_only=True, allow_null=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    progress = serializers.IntegerField(source="progress_percent", read_only=True)
    can_cancel = serializers.BooleanField(read_only=True)
    can_retry = serializers.BooleanField(read_only=True)
    retry_of = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Operation
        fields = [
            "id",
            "url",
            "kind",
            "status",
            "gandi_step",
            "progress",
            "account",
            "site",
            "site_name",
            "requested_by",
            "last_error",
            "can_cancel",
            "can_retry",
            "retry_of",
            "created_at",
            "finished_at",
        ]


class OperationFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(required=False, choices=OperationStatus.values)
    kind = serializers.ChoiceField(required=False, choices=OperationKind.values)
    step = serializers.CharField(required=False, max_length=32)
    site = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    account = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class AcceptedSerializer(serializers.Serializer):
    """The answer to a change: 202 with the operation to follow (also the Location header)."""

    operation = OperationSerializer()
    created = serializers.BooleanField(help_text="False when an Idempotency-Key was re-sent.")


class MessageSerializer(serializers.Serializer):
    detail = serializers.CharField()
    operation = OperationSerializer()

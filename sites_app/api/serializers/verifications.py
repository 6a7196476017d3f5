"""Ownership proofs: the TXT records a create or vhost change waits for, and what DNS said."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sites_app.api.serializers.operations import OperationSerializer
from sites_app.models import OwnershipRecord, PendingRequest
from sites_app.services.verification import GIVE_UP_AFTER, zone_parts


class RecordSerializer(serializers.ModelSerializer):
    """One TXT record to publish, and whether DNS shows it yet."""

    name = serializers.CharField(source="txt_name", help_text="The record's full name.")
    relative_name = serializers.SerializerMethodField(
        help_text="The name as DNS providers ask for it, within `zone` (`@`: its apex)."
    )
    zone = serializers.SerializerMethodField()
    type = serializers.SerializerMethodField()
    value = serializers.CharField(source="txt_value")
    found = serializers.BooleanField(source="seen", help_text="DNS showed the value.")
    dns_answer = serializers.CharField(
        source="last_answer", help_text="What DNS answered at the last check."
    )

    class Meta:
        model = OwnershipRecord
        fields = [
            "vhost",
            "name",
            "relative_name",
            "zone",
            "type",
            "ttl",
            "value",
            "found",
            "last_checked_at",
            "dns_answer",
        ]

    def get_relative_name(self, record) -> str:
        return zone_parts(record.txt_name)[0]

    def get_zone(self, record) -> str:
        return zone_parts(record.txt_name)[1]

    def get_type(self, record) -> str:
        return "TXT"


class VerificationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:verification-detail")
    check_url = serializers.HyperlinkedIdentityField(
        view_name="api:verification-check", help_text="POST here to check DNS and submit."
    )
    page_url = serializers.SerializerMethodField(help_text="The verification page, for people.")
    account = serializers.IntegerField(source="account_id", read_only=True)
    site = serializers.IntegerField(source="site_id", read_only=True, allow_null=True)
    site_name = serializers.SerializerMethodField()
    vhosts = serializers.SerializerMethodField(help_text="Every vhost asked for, in order.")
    records = RecordSerializer(many=True, read_only=True)
    all_found = serializers.SerializerMethodField()
    quote = serializers.SerializerMethodField(
        help_text="A create's confirmed price: it is not sent if Gandi's price went up since."
    )
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    expires_at = serializers.SerializerMethodField(
        help_text="The background DNS re-checks stop then; a check by hand still works."
    )
    operation = OperationSerializer(read_only=True, allow_null=True)

    class Meta:
        model = PendingRequest
        fields = [
            "id",
            "url",
            "check_url",
            "page_url",
            "kind",
            "status",
            "account",
            "site",
            "site_name",
            "vhosts",
            "records",
            "all_found",
            "quote",
            "requested_by",
            "created_at",
            "last_checked_at",
            "next_check_at",
            "expires_at",
            "operation",
        ]

    def get_page_url(self, pending) -> str:
        path = reverse("verification_detail", kwargs={"pending_id": pending.pk})
        return self.context["request"].build_absolute_uri(path)

    def get_site_name(self, pending) -> str:
        return pending.site.name if pending.site_id else pending.params.get("name", "")

    def get_vhosts(self, pending) -> list[str]:
        return list(pending.params.get("vhosts", []))

    def get_all_found(self, pending) -> bool:
        return all(record.seen for record in pending.records.all())

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"price": {"type": "number"}, "currency": {"type": "string"}},
        }
    )
    def get_quote(self, pending):
        if "price" not in pending.params:
            return None
        return {"price": pending.params["price"], "currency": pending.params.get("currency", "")}

    @extend_schema_field(serializers.DateTimeField())
    def get_expires_at(self, pending):
        return serializers.DateTimeField().to_representation(pending.created_at + GIVE_UP_AFTER)


class VerificationFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(required=False, choices=PendingRequest.Status.values)
    site = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class MissingSerializer(serializers.Serializer):
    """A check that found records missing: nothing was sent."""

    detail = serializers.CharField()
    missing = RecordSerializer(many=True)
    verification = VerificationSerializer()

"""Sites and the requests that change them (create, vhosts, upgrade, delete)."""

from __future__ import annotations

from rest_framework import serializers

from sites_app.forms.sites import DURATIONS, MAX_NAME, MAX_VHOSTS, PROVIDERS, SORTS
from sites_app.models import Site, VirtualHost
from sites_app.services.hostnames import normalise_vhost_list


class VirtualHostSerializer(serializers.ModelSerializer):
    class Meta:
        model = VirtualHost
        fields = ["name", "position", "ownership", "txt_name", "txt_value", "last_dns_check_at"]


class SiteSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:site-detail")
    account = serializers.IntegerField(source="account_id", read_only=True)

    class Meta:
        model = Site
        fields = [
            "id",
            "url",
            "gandi_id",
            "name",
            "account",
            "provider",
            "package",
            "state",
            "preferred_vhost",
            "parking_vhost",
            "date_created",
            "paid_until",
            "last_synced_at",
        ]


class SiteDetailSerializer(SiteSerializer):
    vhosts = VirtualHostSerializer(many=True, read_only=True)
    removed = serializers.BooleanField(source="is_removed", read_only=True)

    class Meta(SiteSerializer.Meta):
        fields = [*SiteSerializer.Meta.fields, "removed", "vhosts"]


class SiteFilterSerializer(serializers.Serializer):
    """The list's query parameters: the same as the page's (SiteFilterForm)."""

    q = serializers.CharField(required=False, max_length=200, help_text="Name or vhost.")
    account = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    state = serializers.CharField(required=False, max_length=32)
    package = serializers.CharField(required=False, max_length=64)
    expiring = serializers.IntegerField(
        required=False, min_value=0, max_value=3650, help_text="Paid until within N days."
    )
    sort = serializers.ChoiceField(required=False, choices=list(SORTS), default="name")


class VhostListField(serializers.ListField):
    child = serializers.CharField(max_length=300)

    def __init__(self, **kwargs):
        super().__init__(min_length=1, max_length=MAX_VHOSTS, **kwargs)

    def to_internal_value(self, data):
        names, problems = normalise_vhost_list(super().to_internal_value(data))
        if problems:
            raise serializers.ValidationError(problems)
        return names


class SiteCreateSerializer(serializers.Serializer):
    account = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    name = serializers.CharField(max_length=MAX_NAME)
    provider = serializers.ChoiceField(
        choices=[p for p, _ in PROVIDERS], default="basekit_whitelabel"
    )
    package = serializers.CharField(max_length=64)
    duration = serializers.ChoiceField(choices=[d for d, _ in DURATIONS], default="1m")
    vhosts = VhostListField(help_text="In order; the first is the preferred vhost.")
    quoted_price = serializers.FloatField(
        min_value=0,
        max_value=1e9,
        required=False,
        help_text="The price Gandi asks for this create, echoed back to confirm it: a POST "
        "without it answers 409 `price_required` with the price to send.",
    )
    quoted_currency = serializers.CharField(max_length=3, required=False, default="")

    def validate_name(self, value: str) -> str:
        name = " ".join(value.split())
        if not name or not name.isprintable():
            raise serializers.ValidationError("Enter a printable name for the site.")
        return name


class VhostsChangeSerializer(serializers.Serializer):
    vhosts = VhostListField(help_text="The complete new list, in order; the parking vhost stays.")


class UpgradeOfferSerializer(serializers.Serializer):
    package = serializers.CharField()
    price = serializers.FloatField(allow_null=True)
    currency = serializers.CharField(allow_blank=True)


class UpgradeSerializer(serializers.Serializer):
    package = serializers.CharField(max_length=64)
    quoted_price = serializers.FloatField(
        min_value=0, max_value=1e9, help_text="The price of GET …/upgrade/, echoed back."
    )
    quoted_currency = serializers.CharField(max_length=3)


class DeleteSerializer(serializers.Serializer):
    confirm_name = serializers.CharField(max_length=300, help_text="The site's exact name.")

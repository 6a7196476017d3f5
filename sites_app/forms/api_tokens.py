"""The form that makes an API token: team, name, access, expiry, address allow-list."""

from __future__ import annotations

import ipaddress

from django import forms

from sites_app.forms.bootstrap import BootstrapFormMixin
from sites_app.models import ApiToken
from sites_app.models.tokens import DEFAULT_DAYS, MAX_DAYS

MAX_NETWORKS = 20


class ApiTokenForm(BootstrapFormMixin, forms.Form):
    team = forms.ChoiceField()
    name = forms.CharField(max_length=100, help_text="What it is for, e.g. “deploy script”.")
    access = forms.ChoiceField(
        choices=ApiToken.Access.choices,
        initial=ApiToken.Access.READ,
        help_text="Never more than your own role in the team, now or later.",
    )
    days = forms.IntegerField(
        label="Expires after (days)", min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS
    )
    networks = forms.CharField(
        label="Allowed addresses (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text="One address or CIDR range per line, e.g. 203.0.113.0/24. Empty: any.",
    )

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(str(m.team_id), m.team.name) for m in memberships]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name or not name.isprintable():
            raise forms.ValidationError("Give the token a printable name.")
        return name

    def clean_networks(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["networks"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_NETWORKS:
            raise forms.ValidationError(f"At most {MAX_NETWORKS} addresses or ranges.")
        networks = []
        for line in lines:
            try:
                networks.append(str(ipaddress.ip_network(line, strict=False)))
            except ValueError:
                raise forms.ValidationError(
                    f"“{line[:60]}” is not an address or a CIDR range such as 203.0.113.0/24."
                ) from None
        return networks

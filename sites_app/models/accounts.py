"""Gandi accounts: an endpoint and an API key, encrypted at rest, held by a team."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models

from sites_app import crypto

from .teams import Team

if TYPE_CHECKING:
    from sites_app.gandi.client import GandiClient


class Endpoint(models.TextChoices):
    PRODUCTION = "production", "Gandi production"
    OTE = "ote", "Gandi OT&E (test platform, nothing billed)"
    SIMULATOR = "simulator", "Local Gandi simulator"
    CUSTOM = "custom", "Custom URL"


class GandiAccount(models.Model):
    """A Gandi account the team manages sites in. The key is never stored or shown in clear."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="gandi_accounts")
    name = models.CharField(max_length=100)
    endpoint = models.CharField(
        max_length=16, choices=Endpoint.choices, default=Endpoint.PRODUCTION
    )
    custom_url = models.URLField(blank=True)
    api_key_encrypted = models.TextField(editable=False)
    key_hint = models.CharField(max_length=4, editable=False, help_text="Last 4 characters")
    # SHA-256 of the endpoint's URL and the key: one portal account per Gandi account, so no
    # Gandi site is mirrored (and upgraded or deleted) from two teams. Empty: not computed.
    key_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_check_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="account_name_unique_in_team"),
            models.UniqueConstraint(
                fields=["key_fingerprint"],
                condition=~models.Q(key_fingerprint=""),
                name="one_account_per_gandi_key",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<GandiAccount {self.pk} {self.name!r} key=…{self.key_hint}>"

    @property
    def url(self) -> str:
        return {
            Endpoint.PRODUCTION: settings.GANDI_PRODUCTION_URL,
            Endpoint.OTE: settings.GANDI_OTE_URL,
            Endpoint.SIMULATOR: settings.GANDI_SIMULATOR_URL,
        }.get(self.endpoint, self.custom_url)

    @property
    def masked_key(self) -> str:
        return f"••••••••••••••••••••{self.key_hint}"

    def set_api_key(self, api_key: str) -> None:
        """Store the key for the account's endpoint (set the endpoint first)."""
        self.api_key_encrypted = crypto.encrypt(api_key)
        self.key_hint = api_key[-4:]
        self.key_fingerprint = key_fingerprint(self.url, api_key)

    def api_key(self) -> str:
        """Decrypt the key; call only right before talking to Gandi."""
        return crypto.decrypt(self.api_key_encrypted)

    def client(
        self, timeout: float | None = None, *, for_request: bool = False, background: bool = False
    ) -> GandiClient:
        """A Gandi client for this account, sharing the per-key rate limit across processes.

        Views pass `for_request=True`: the view timeout and at most one retry per read.
        Other clients (the workers' calls) keep the account's `last_success_at` current."""
        from sites_app.gandi.client import client_for
        from sites_app.services.gandi_accounts import success_recorder

        client = client_for(
            self.url,
            self.api_key(),
            timeout=timeout,
            for_request=for_request,
            background=background,
        )
        if not for_request:  # a page's reads write nothing (ARCHITECTURE.md, rule 10)
            client.on_success = success_recorder(self.pk)
        return client


def key_fingerprint(url: str, api_key: str) -> str:
    """What tells one Gandi account from another: its key at its endpoint. A plain SHA-256 is
    enough, as for API tokens: a Gandi key is long and random, so it cannot be guessed back."""
    return hashlib.sha256(f"{url.strip()}\n{api_key}".encode()).hexdigest()

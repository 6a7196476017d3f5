"""API tokens: a person's key to one team's API, read-only or read-write, expiring.

Only the SHA-256 of the secret is stored; the token is shown once when it is made. Its rights
are never stored: each request computes them from the creator's live membership in the team
(sites_app.api.authentication), so a token loses what its creator loses.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "gsp_"
DEFAULT_DAYS = 90
MAX_DAYS = 365


def hash_secret(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    class Access(models.TextChoices):
        READ = "read", "Read only"
        WRITE = "write", "Read and write"

    team = models.ForeignKey("sites_app.Team", on_delete=models.CASCADE, related_name="api_tokens")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    access = models.CharField(max_length=8, choices=Access.choices, default=Access.READ)
    # The short visible id ("gsp_<key_id>_..."): shown in lists and logs, finds the row.
    key_id = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    allowed_networks = models.JSONField(default=list, blank=True)  # CIDR strings; empty: any
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "created_by"], name="api_token_by_person")]

    def __str__(self) -> str:
        return f"{self.name} ({TOKEN_PREFIX}{self.key_id})"

    @classmethod
    def issue(cls, *, team, user, name: str, access: str, days: int, networks: list[str]):
        """Make a token; returns (row, the full token), the only time the token exists."""
        key_id = secrets.token_hex(4)
        token = f"{TOKEN_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
        row = cls.objects.create(
            team=team,
            created_by=user,
            name=name,
            access=access,
            key_id=key_id,
            secret_hash=hash_secret(token),
            allowed_networks=networks,
            expires_at=timezone.now() + timedelta(days=days),
        )
        return row, token

    @property
    def visible_id(self) -> str:
        return f"{TOKEN_PREFIX}{self.key_id}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def status(self) -> str:
        if self.is_revoked:
            return "revoked"
        return "expired" if self.is_expired else "active"

    @property
    def can_write(self) -> bool:
        return self.access == self.Access.WRITE

    def allows_address(self, address: str | None) -> bool:
        if not self.allowed_networks:
            return True
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(net, strict=False) for net in self.allowed_networks)

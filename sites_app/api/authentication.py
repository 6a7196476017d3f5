"""`Authorization: Bearer gsp_...`: find the token by its visible id, compare the hash, and
check it against the creator's live membership on every request."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from sites_app import audit
from sites_app.models import ApiToken, Membership
from sites_app.models.tokens import TOKEN_PREFIX, hash_secret
from sites_app.services.account_security import has_mfa


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send exactly one token: Bearer gsp_....")
        return self.check(request, header[1])

    def check(self, request, token: str):
        parts = token.split("_")
        if not token.startswith(TOKEN_PREFIX) or len(parts) < 3 or not parts[1]:
            raise exceptions.AuthenticationFailed("That is not a portal API token.")
        row = (
            ApiToken.objects.select_related("team", "created_by")
            .filter(key_id=parts[1][:16])
            .first()
        )
        if row is None or not hmac.compare_digest(row.secret_hash, hash_secret(token)):
            raise exceptions.AuthenticationFailed("Unknown API token.")
        if row.is_revoked:
            raise exceptions.AuthenticationFailed(f"The token {row.visible_id} was revoked.")
        if row.is_expired:
            raise exceptions.AuthenticationFailed(f"The token {row.visible_id} has expired.")
        user = row.created_by
        if not user.is_active:
            raise exceptions.AuthenticationFailed("The token's owner is deactivated.")
        address = audit.client_ip(request._request)
        if not row.allows_address(address):
            raise exceptions.AuthenticationFailed(
                f"The token {row.visible_id} is not allowed from {address}."
            )
        membership = (
            Membership.objects.select_related("team").filter(team=row.team, user=user).first()
        )
        if membership is None:
            raise exceptions.AuthenticationFailed(
                f"The token's owner is no longer a member of {row.team.name}."
            )
        if row.team.require_mfa and not has_mfa(user):
            raise exceptions.AuthenticationFailed(
                f"{row.team.name} requires two-factor authentication, which the token's "
                "owner has not set up."
            )
        self._touch(row, address)
        row.membership = membership  # the live role, read by sites_app.api.permissions
        return user, row

    @staticmethod
    def _touch(row: ApiToken, address: str | None) -> None:
        now = timezone.now()
        every = timedelta(seconds=settings.API_TOKEN_TOUCH_SECONDS)
        if row.last_used_at and row.last_used_ip == address and now - row.last_used_at < every:
            return
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now, last_used_ip=address)

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (gsp_…) made on Profile → API tokens.",
        }

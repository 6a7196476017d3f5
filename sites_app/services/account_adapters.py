"""Where the portal differs from django-allauth's defaults."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.http import HttpRequest

from sites_app import audit


class PortalAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People join by invitation (sites_app/views/invitations.py), never by open sign-up.
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # One rule for allauth's own sensitive pages (MFA changes, email) and ours: a sign-in
        # or a confirmation within REAUTHENTICATION_MINUTES is fresh enough.
        from sites_app.services.account_security import authenticated_recently

        request = context.request
        if request is not None and authenticated_recently(request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def get_client_ip(self, request: HttpRequest) -> str:
        # The same address as the audit log and django-axes (TRUSTED_PROXY_COUNT aware).
        return audit.client_ip(request) or "0.0.0.0"

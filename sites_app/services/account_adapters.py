"""Where the portal differs from django-allauth's defaults."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.http import HttpRequest

from sites_app import audit


class PortalAccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": (
            "Please enter a correct username and password. Both are case-sensitive."
        ),
    }

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

    def add_message(self, request, level, message_template=None, *args, **kwargs) -> None:
        # The profile page says it in its own words ("We sent a link to ...").
        if message_template == "account/messages/email_confirmation_sent.txt":
            return
        super().add_message(request, level, message_template, *args, **kwargs)

    def get_client_ip(self, request: HttpRequest) -> str:
        # The same address as the audit log and django-axes (TRUSTED_PROXY_COUNT aware).
        return audit.client_ip(request) or "0.0.0.0"

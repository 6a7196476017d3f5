"""MFA and fresh authentication: the team's "require MFA" rule and the decorator that makes
sensitive actions ask for the password or a second factor again."""

from __future__ import annotations

import time
from functools import wraps

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.authentication import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from sites_app import access


def has_mfa(user) -> bool:
    """A second factor that can sign in: an authenticator app or a security key (recovery
    codes alone are a fallback, not a factor)."""
    return Authenticator.objects.filter(
        user_id=user.pk, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def users_with_mfa(user_ids) -> set[int]:
    types = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    rows = Authenticator.objects.filter(user_id__in=list(user_ids), type__in=types)
    return set(rows.values_list("user_id", flat=True))


def authenticated_recently(request: HttpRequest) -> bool:
    """Did this session sign in, or confirm its password or second factor, within
    REAUTHENTICATION_MINUTES?"""
    records = get_authentication_records(request, request.user)
    if not records:
        return False
    return time.time() - records[-1]["at"] < settings.REAUTHENTICATION_MINUTES * 60


def _reauthentication_url(request: HttpRequest) -> str:
    methods = get_account_adapter(request).get_reauthentication_methods(request.user)
    return methods[0]["url"] if methods else reverse("login")


def fresh_authentication_required(view=None, *, replay: bool = True):
    """For sensitive actions: when the session last authenticated more than
    REAUTHENTICATION_MINUTES ago, the person confirms who they are first (allauth's
    reauthentication pages: password, authenticator app or security key), then comes back.

    A GET (the form) asks up front. A POST is parked in the session and resumes after the
    confirmation, unless replay=False: forms that carry a secret (a Gandi API key) are never
    parked; the person comes back to the empty form instead."""

    def decorate(view_func):
        @wraps(view_func)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if request.user.is_authenticated and not authenticated_recently(request):
                if request.method == "POST" and not replay:
                    messages.info(request, "Please confirm it is you, then fill in the form again.")
                    query = urlencode({REDIRECT_FIELD_NAME: request.path})
                    return redirect(f"{_reauthentication_url(request)}?{query}")
                raise ReauthenticationRequired()  # allauth's AccountMiddleware redirects
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate


# Pages a member without MFA may still open in a team that requires it: enrolling itself,
# signing out, their own account, switching to another team and accepting an invitation.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/invitations/", "/admin/")
MFA_EXEMPT_URL_NAMES = ("switch_team", "profile", "logout")


class TeamRequiresMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.user.is_authenticated and not self._exempt(request):
            membership = access.current_membership(request)
            if membership is not None and membership.team.require_mfa and not has_mfa(request.user):
                messages.warning(
                    request,
                    f"{membership.team.name} requires two-factor authentication. Add an "
                    "authenticator app or a security key to see the team's pages.",
                )
                response = redirect("mfa_index")
                if request.headers.get("HX-Request"):
                    response["HX-Redirect"] = response["Location"]
                return response
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        if request.path.startswith(MFA_EXEMPT_PREFIXES):
            return True
        return request.path in {reverse(name) for name in MFA_EXEMPT_URL_NAMES}

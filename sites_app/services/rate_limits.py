"""Rate limits on the pages a stranger (or a borrowed session) could use to send mail or guess
passwords, counted in the Redis cache by django-ratelimit. Rates are "count/period" from
settings (README "Accounts and security")."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from sites_app import audit


def _hit(request: HttpRequest, group: str, value: str, rate: str) -> bool:
    """Count one use of `group` for `value`; True when that goes over `rate`."""
    # Hashed: the cache key must not carry an email address in clear.
    digest = hashlib.sha256(value.encode()).hexdigest()
    return is_ratelimited(
        request, group=group, key=lambda _group, _request: digest, rate=rate, increment=True
    )


def password_reset_refused(request: HttpRequest, email: str) -> bool:
    """Per address of the requester and per target email; both are counted every time."""
    by_address = _hit(
        request,
        "password-reset-address",
        audit.client_ip(request) or "",
        settings.RATELIMIT_PASSWORD_RESET_PER_ADDRESS,
    )
    by_email = _hit(
        request,
        "password-reset-email",
        email.strip().lower(),
        settings.RATELIMIT_PASSWORD_RESET_PER_EMAIL,
    )
    return by_address or by_email


def signup_refused(request: HttpRequest) -> bool:
    return _hit(
        request,
        "invitation-signup",
        audit.client_ip(request) or "",
        settings.RATELIMIT_SIGNUP_PER_ADDRESS,
    )


def password_check_refused(request: HttpRequest) -> bool:
    """The profile's "current password" check: a borrowed session must not guess at it."""
    return _hit(
        request,
        "profile-password-check",
        str(request.user.pk),
        settings.RATELIMIT_PASSWORD_CHECK_PER_USER,
    )

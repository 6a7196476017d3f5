"""Audit events and session clocks for signing in, lock-outs, MFA and email changes."""

from __future__ import annotations

import hashlib

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.account.signals import email_changed
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_used
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.dispatch import receiver

from . import audit
from .services import session_limits
from .services.login_throttle import lockout_reason

FACTOR_NAMES = {
    Authenticator.Type.TOTP: "authenticator app",
    Authenticator.Type.WEBAUTHN: "security key",
    Authenticator.Type.RECOVERY_CODES: "recovery codes",
}


@receiver(user_logged_in)
def start_session_clocks(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    if not get_authentication_records(request, user):
        # Signed in by a path other than allauth's form (e.g. right after an invitation
        # sign-up): that is a fresh authentication too.
        record_authentication(request, user, method="password")
    session_limits.mark_signed_in(request)


@receiver(user_locked_out)
def audit_lockout(sender, request, username, ip_address, **kwargs):
    """Once per lock-out (axes signals every refused attempt). An "auth." event with the user
    name as its label shows in the audit log of every team the account belongs to."""
    locked, reason = lockout_reason(request, getattr(request, "axes_credentials", None))
    marker = hashlib.sha256(locked.encode()).hexdigest()
    cooloff = int(settings.AXES_COOLOFF_TIME * 3600)
    if cache.add(f"lockout-audited:{marker}", 1, timeout=cooloff):
        audit.record(
            "auth.locked_out",
            outcome="failure",
            request=request,
            username=str(username or "")[:150],
            reason=reason,
        )


def _factor(authenticator) -> str:
    return FACTOR_NAMES.get(authenticator.type, str(authenticator.type))


@receiver(authenticator_added)
def audit_factor_added(sender, request, user, authenticator, **kwargs):
    audit.record("auth.mfa_enrol", actor=user, request=request, factor=_factor(authenticator))


@receiver(authenticator_removed)
def audit_factor_removed(sender, request, user, authenticator, **kwargs):
    audit.record("auth.mfa_remove", actor=user, request=request, factor=_factor(authenticator))


@receiver(authenticator_used)
def audit_recovery_code_used(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        audit.record("auth.recovery_code_used", actor=user, request=request)


@receiver(email_changed)
def audit_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    audit.record(
        "profile.email_change",
        actor=user,
        request=request,
        old_email=from_email_address.email if from_email_address else "",
        new_email=to_email_address.email,
    )

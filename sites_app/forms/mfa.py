"""allauth's MFA forms, where the portal needs more than allauth does (settings.MFA_FORMS)."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal.auth import TOTP


class ActivateTOTPOnceForm(ActivateTOTPForm):
    """The code that enrols an authenticator app is spent: it cannot also sign in during the
    rest of its period (ASVS 2.8.4). allauth marks a code used at sign-in, not at enrolment."""

    def clean_code(self) -> str:
        code = super().clean_code()
        # allauth's own "used" mark for this person and code (its cache key, its period).
        TOTP(Authenticator(user=self.user))._mark_code_used(code)
        return code

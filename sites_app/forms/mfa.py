"""allauth's MFA forms, where the portal needs more than allauth does (settings.MFA_FORMS)."""

from __future__ import annotations

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from allauth.mfa.totp.internal.auth import TOTP, validate_totp_code
from allauth.mfa.utils import decrypt
from django.core.exceptions import ValidationError

from sites_app import audit


class ActivateTOTPOnceForm(ActivateTOTPForm):
    """The code that enrols an authenticator app is spent: it cannot also sign in during the
    rest of its period (ASVS 2.8.4). allauth marks a code used at sign-in, not at enrolment."""

    def clean_code(self) -> str:
        code = super().clean_code()
        # allauth's own "used" mark for this person and code (its cache key, its period).
        TOTP(Authenticator(user=self.user))._mark_code_used(code)
        return code


def was_used_already(user, code: str) -> bool:
    """A code allauth refused although it is the app's current one: it was used already."""
    app = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return app is not None and validate_totp_code(decrypt(app.data["secret"]), code)


class _NoticesReuse:
    """A refused code that was right but already used (ASVS 2.8.5) is refused as before, and
    also an audit event and a mail to the person: someone else may hold their second factor
    and their password, having seen the code typed."""

    user = None
    cleaned_data: dict

    def clean_code(self) -> str:
        try:
            return super().clean_code()
        except ValidationError:
            code = self.cleaned_data.get("code", "")
            if code and was_used_already(self.user, code):
                request = context.request
                audit.record(
                    "auth.mfa_code_reused", actor=self.user, outcome="failure", request=request
                )
                mail = get_account_adapter(request).send_notification_mail
                mail("mfa/email/totp_code_reused", self.user)
            raise


class AuthenticateNoticingReuseForm(_NoticesReuse, AuthenticateForm):
    pass


class ReauthenticateNoticingReuseForm(_NoticesReuse, ReauthenticateForm):
    pass

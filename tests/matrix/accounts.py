"""Declarations for signing in, MFA, sessions and email changes (django-allauth's views)."""

from sites_app.access import Right
from tests.matrix import PUBLIC, SIGNED_IN, Route, declare

ALLAUTH = "django-allauth's own view: "


def _webauthn_key(world) -> dict:
    from allauth.mfa.models import Authenticator

    key = Authenticator.objects.create(
        user=world.users["viewer"], type=Authenticator.Type.WEBAUTHN, data={"name": "matrix"}
    )
    return {"pk": key.pk}


def _confirmation_key(world) -> dict:
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    address = EmailAddress.objects.create(user=world.users["viewer"], email="next@example.com")
    return {"key": EmailConfirmationHMAC(address).key}


declare(
    Route("team_require_mfa", post=Right.OWN, post_data=lambda w: {"require_mfa": "on"}),
    # Our own pages in front of allauth's duplicates.
    Route("allauth_password_reset_redirect", get=PUBLIC),
    Route("allauth_password_change_redirect", get=PUBLIC),
    # Signed-in pages of one's own account: nothing of a team in them.
    Route("mfa_index", get=SIGNED_IN),
    Route("mfa_activate_totp", get=SIGNED_IN, post=SIGNED_IN),
    Route(
        "mfa_deactivate_totp",
        get=SIGNED_IN,
        post=SIGNED_IN,
        own_tests=ALLAUTH + "only with an authenticator app: tests/teams/test_mfa.py",
    ),
    Route(
        "mfa_view_recovery_codes",
        get=SIGNED_IN,
        own_tests=ALLAUTH + "only with codes: tests/teams/test_mfa.py",
    ),
    Route(
        "mfa_generate_recovery_codes",
        get=SIGNED_IN,
        post=SIGNED_IN,
        own_tests=ALLAUTH + "only with a factor: tests/teams/test_mfa.py",
    ),
    Route(
        "mfa_download_recovery_codes",
        get=SIGNED_IN,
        post=SIGNED_IN,
        own_tests=ALLAUTH + "only with codes: tests/teams/test_mfa.py",
    ),
    Route("mfa_list_webauthn", get=SIGNED_IN),
    Route("mfa_add_webauthn", get=SIGNED_IN, post=SIGNED_IN),
    Route(
        "mfa_remove_webauthn",
        get=SIGNED_IN,
        post=SIGNED_IN,
        kwargs=_webauthn_key,
        outsider_404=False,
        own_tests=ALLAUTH + "one's own keys only: tests/browser/test_mfa_security_key.py",
    ),
    Route(
        "mfa_edit_webauthn",
        get=SIGNED_IN,
        post=SIGNED_IN,
        kwargs=_webauthn_key,
        outsider_404=False,
        own_tests=ALLAUTH + "one's own keys only: tests/browser/test_mfa_security_key.py",
    ),
    Route(
        "mfa_reauthenticate",
        get=SIGNED_IN,
        post=SIGNED_IN,
        own_tests=ALLAUTH + "only with a factor: tests/teams/test_reauthentication.py",
    ),
    Route(
        "mfa_reauthenticate_webauthn",
        get=SIGNED_IN,
        post=SIGNED_IN,
        own_tests=ALLAUTH + "only with a key: tests/browser/test_mfa_security_key.py",
    ),
    Route("usersessions_list", get=SIGNED_IN, post=SIGNED_IN),
    Route(
        "account_reauthenticate",
        get=SIGNED_IN,
        post=SIGNED_IN,
        own_tests=ALLAUTH + "403 without a password: tests/teams/test_reauthentication.py",
    ),
    Route("account_email", get=SIGNED_IN, post=SIGNED_IN),
    Route("account_set_password", get=SIGNED_IN, post=SIGNED_IN),
    # The second step of a sign-in: only in the middle of one, otherwise back to sign-in.
    Route(
        "mfa_authenticate",
        get=SIGNED_IN,
        post=SIGNED_IN,
        own_tests=ALLAUTH + "a sign-in stage, else back to sign-in: tests/teams/test_mfa.py",
    ),
    Route(
        "account_confirm_login_code",
        get=SIGNED_IN,
        post=SIGNED_IN,
        own_tests=ALLAUTH + "a sign-in stage (login by code is off), else back to sign-in",
    ),
    # Public by design.
    Route(
        "account_confirm_email",
        get=PUBLIC,
        post=SIGNED_IN,  # works signed out too, then sends to sign-in: the matrix sees that
        kwargs=_confirmation_key,
        outsider_404=False,
        own_tests=ALLAUTH + "the link is the credential: tests/teams/test_profile_email.py",
    ),
    Route("account_email_verification_sent", get=PUBLIC),
    Route("account_inactive", get=PUBLIC),
    Route(
        "account_signup",
        get=PUBLIC,
        post=PUBLIC,
        own_tests=ALLAUTH + "closed: people join by invitation",
    ),
    Route("account_reset_password_done", get=PUBLIC),
    Route("account_reset_password_from_key_done", get=PUBLIC),
    Route(
        "account_reset_password_from_key",
        get=PUBLIC,
        post=PUBLIC,
        kwargs=lambda w: {"uidb36": "1", "key": "nokey"},
        outsider_404=False,
        own_tests=ALLAUTH + "token-checked; our reset is Django's (tests/teams/test_auth.py)",
    ),
)

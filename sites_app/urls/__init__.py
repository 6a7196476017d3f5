"""All portal URLs: core here, then one module per feature."""

from django.urls import include, path
from django.views.generic import RedirectView

from sites_app.views import api_tokens, dashboard, passwords, profile, security

from . import notifications, sites, teams

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # Before auth's and allauth's own URLs, so these names resolve to the audited views.
    path("accounts/login/", security.LoginView.as_view(), name="login"),
    path(
        "accounts/password_change/",
        passwords.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        passwords.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password_reset/",
        passwords.PasswordResetView.as_view(),
        name="password_reset",
    ),
    # allauth's own password pages would be a second way to do the same: send them to ours.
    path(
        "accounts/password/reset/",
        RedirectView.as_view(pattern_name="password_reset", http_method_names=["get", "head"]),
        name="allauth_password_reset_redirect",
    ),
    path(
        "accounts/password/change/",
        RedirectView.as_view(pattern_name="password_change", http_method_names=["get", "head"]),
        name="allauth_password_change_redirect",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # allauth: MFA (accounts/2fa/), active sessions (accounts/sessions/), email change
    # confirmation and reauthentication.
    path("accounts/", include("allauth.urls")),
    path("team/require-mfa/", security.team_require_mfa, name="team_require_mfa"),
    path("team/switch/", dashboard.switch_team, name="switch_team"),
    path("profile/", profile.profile, name="profile"),
    path("profile/api-tokens/", api_tokens.token_list, name="api_token_list"),
    path("profile/api-tokens/new/", api_tokens.token_create, name="api_token_create"),
    path(
        "profile/api-tokens/<int:token_id>/revoke/",
        api_tokens.token_revoke,
        name="api_token_revoke",
    ),
    *teams.urlpatterns,
    *sites.urlpatterns,
    *notifications.urlpatterns,
]

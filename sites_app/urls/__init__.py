"""All portal URLs: core here, then one module per feature."""

from django.urls import include, path

from sites_app.views import dashboard, passwords, profile

from . import sites, teams

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # Before auth's own URLs, so these names resolve to the audited views.
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
    path("accounts/", include("django.contrib.auth.urls")),
    path("team/switch/", dashboard.switch_team, name="switch_team"),
    path("profile/", profile.profile, name="profile"),
    *teams.urlpatterns,
    *sites.urlpatterns,
]

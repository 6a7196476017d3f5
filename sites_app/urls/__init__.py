"""All portal URLs: core here, then one module per feature."""

from django.urls import include, path

from sites_app.views import dashboard, profile

from . import sites, teams

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("team/switch/", dashboard.switch_team, name="switch_team"),
    path("profile/", profile.profile, name="profile"),
    *teams.urlpatterns,
    *sites.urlpatterns,
]

"""/api/v1/: resources, the OpenAPI schema and its offline docs (Swagger UI, Redoc)."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.urls import path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated

from sites_app.api.authentication import BearerTokenAuthentication
from sites_app.api.problems import not_found
from sites_app.api.views import operations, sites, team, verifications

app_name = "api"
DOCS_AUTH = {
    "authentication_classes": [BearerTokenAuthentication, SessionAuthentication],
    "permission_classes": [IsAuthenticated],
}

urlpatterns = [
    path("sites/", sites.SiteList.as_view(), name="site-list"),
    path("sites/<int:pk>/", sites.SiteDetail.as_view(), name="site-detail"),
    path("sites/<int:pk>/vhosts/", sites.SiteVhosts.as_view(), name="site-vhosts"),
    path("sites/<int:pk>/upgrade/", sites.SiteUpgrade.as_view(), name="site-upgrade"),
    path("operations/", operations.OperationList.as_view(), name="operation-list"),
    path("operations/<int:pk>/", operations.OperationDetail.as_view(), name="operation-detail"),
    path(
        "operations/<int:pk>/cancel/", operations.OperationCancel.as_view(), name="operation-cancel"
    ),
    path("operations/<int:pk>/retry/", operations.OperationRetry.as_view(), name="operation-retry"),
    path("verifications/", verifications.VerificationList.as_view(), name="verification-list"),
    path(
        "verifications/<int:pk>/",
        verifications.VerificationDetail.as_view(),
        name="verification-detail",
    ),
    path(
        "verifications/<int:pk>/check/",
        verifications.VerificationCheck.as_view(),
        name="verification-check",
    ),
    path("accounts/", team.AccountList.as_view(), name="account-list"),
    path("accounts/<int:pk>/test/", team.AccountTest.as_view(), name="account-test"),
    path("members/", team.MemberList.as_view(), name="member-list"),
    path("audit/", team.AuditList.as_view(), name="audit-list"),
    path("schema/", SpectacularAPIView.as_view(**DOCS_AUTH), name="schema"),
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="api/swagger_ui.html", **DOCS_AUTH
            )
        ),
        name="docs",
    ),
    # Redoc styles itself with <style> elements it makes at run time and renders in a worker:
    # this page alone allows inline styles and blob: workers (no inline script anywhere).
    path(
        "redoc/",
        csp_update({"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
            login_required(
                SpectacularRedocView.as_view(
                    url_name="api:schema", template_name="api/redoc.html", **DOCS_AUTH
                )
            )
        ),
        name="redoc",
    ),
    re_path(r"^.*$", not_found, name="not-found"),
]

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# The admin signs in through the portal's sign-in (throttled, with the second factor).
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("sites_app.api.urls")),
    path("", include("sites_app.urls")),
]

handler403 = "sites_app.views.errors.permission_denied"
handler404 = "sites_app.views.errors.page_not_found"
handler500 = "sites_app.views.errors.server_error"

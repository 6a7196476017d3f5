from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("sites_app.urls")),
]

handler403 = "sites_app.views.errors.permission_denied"
handler404 = "sites_app.views.errors.page_not_found"
handler500 = "sites_app.views.errors.server_error"

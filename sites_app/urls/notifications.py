"""URLs of the bell, notification choices and webhooks."""

from django.urls import path

from sites_app.views import notifications, webhooks

urlpatterns = [
    path("notifications/", notifications.notification_list, name="notification_list"),
    path(
        "notifications/<int:notification_id>/read/",
        notifications.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/read-all/", notifications.notification_read_all, name="notification_read_all"
    ),
    path(
        "notifications/preferences/",
        notifications.notification_preferences,
        name="notification_preferences",
    ),
    path("webhooks/", webhooks.webhook_list, name="webhook_list"),
    path("webhooks/new/", webhooks.webhook_create, name="webhook_create"),
    path("webhooks/<int:webhook_id>/", webhooks.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:webhook_id>/edit/", webhooks.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:webhook_id>/delete/", webhooks.webhook_delete, name="webhook_delete"),
    path(
        "webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/resend/",
        webhooks.webhook_resend,
        name="webhook_resend",
    ),
]

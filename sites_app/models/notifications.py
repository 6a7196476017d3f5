"""Notifications: what a person is told (in the portal's bell and by email), and what they want."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .operations import Operation
from .sites import Site
from .teams import Team


class NotificationEvent(models.TextChoices):
    OPERATION_DONE = "operation.done", "An operation I requested is done"
    OPERATION_FAILED = "operation.failed", "An operation I requested failed"
    OPERATION_NEEDS_ATTENTION = (
        "operation.needs_attention",
        "An operation I requested needs attention",
    )
    OPERATION_CANCELLED = "operation.cancelled", "An operation I requested was cancelled"
    SITE_EXPIRING = "site.expiring", "A site of the team is expiring (30, 7 and 1 days before)"


ALL_EVENTS = [event.value for event in NotificationEvent]


def all_events() -> list[str]:
    return list(ALL_EVENTS)


class NotificationPreference(models.Model):
    """One person's choices for one team; no row means every event on both channels."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="notification_prefs")
    email_events = models.JSONField(default=all_events, blank=True)
    portal_events = models.JSONField(default=all_events, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="one_notification_pref")
        ]

    def __str__(self) -> str:
        return f"Notification choices of {self.user} in {self.team}"


class Notification(models.Model):
    """One thing one person is told: shown under the bell and/or mailed, once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=32, choices=NotificationEvent.choices)
    # What it is about, once per person: "operation:12", "expiry:34".
    dedupe_key = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=200, blank=True)  # a path of the portal
    operation = models.ForeignKey(
        Operation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    in_portal = models.BooleanField(default=True)
    by_email = models.BooleanField(default=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_once")
        ]
        indexes = [
            models.Index(
                fields=["user", "read_at"],
                condition=models.Q(in_portal=True),
                name="notification_unread",
            ),
            models.Index(fields=["user", "-created_at"], name="notification_by_created"),
            # The catch-up sweep's rows: mails not sent (nor failed) yet.
            models.Index(
                fields=["created_at"],
                condition=models.Q(by_email=True, emailed_at__isnull=True, email_error=""),
                name="notification_mail_unsent",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ExpiryNotice(models.Model):
    """A site's paid period ends soon: one row per (site, threshold, paid-until), so each notice
    goes out once, even with two beats or a re-run; a renewal (a new paid-until) starts over."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="expiry_notices")
    threshold_days = models.PositiveSmallIntegerField()
    paid_until = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "threshold_days", "paid_until"], name="expiry_notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} expires in {self.threshold_days} day(s)"

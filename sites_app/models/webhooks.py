"""Webhooks: a team's signed HTTP callbacks, and every delivery and attempt made."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from sites_app import crypto

from .teams import Team


class WebhookEvent(models.TextChoices):
    OPERATION_FINISHED = (
        "operation.finished",
        "operation.finished: an operation is done or cancelled",
    )
    OPERATION_FAILED = (
        "operation.failed",
        "operation.failed: an operation failed or needs attention",
    )
    SITE_CREATED = (
        "site.created",
        "site.created: a site was created (by the portal, or at Gandi and found by sync)",
    )
    SITE_DELETED = (
        "site.deleted",
        "site.deleted: a site was deleted (by the portal, or at Gandi and found by sync)",
    )
    SITE_EXPIRING = "site.expiring", "site.expiring: a site's paid period ends in 30, 7 or 1 days"


class WebhookEndpoint(models.Model):
    """A URL of the team's, called for the events it subscribes to. The signing secret is
    encrypted at rest (the portal must sign with it) and shown once, when made."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    secret_encrypted = models.TextField(editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["url", "id"]

    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.pk} {self.url!r}>"

    def set_secret(self, secret: str) -> None:
        self.secret_encrypted = crypto.encrypt(secret)

    def secret(self) -> str:
        """Decrypt the signing secret; call only right before signing."""
        return crypto.decrypt(self.secret_encrypted)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Gave up"


DELIVERY_COLOURS = {
    DeliveryStatus.PENDING: "warning",
    DeliveryStatus.DELIVERED: "success",
    DeliveryStatus.FAILED: "danger",
}


class WebhookDelivery(models.Model):
    """One event for one endpoint: tried until a 2xx answer, with backoff, for a day."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=32, choices=WebhookEvent.choices)
    # Sent as X-Portal-Delivery; the payload's "id" names the event (the same on a re-send).
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # What it is about, once per endpoint: "operation:12:site.created"; empty for a re-send.
    dedupe_key = models.CharField(max_length=80, blank=True)
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)  # a worker is sending it
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    resent_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="resends"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="webhook_delivery_once",
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint}"

    @property
    def status_colour(self) -> str:
        return DELIVERY_COLOURS.get(self.status, "dark")


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery: the answer's status code, how long it took, the error."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"attempt of {self.delivery_id}: {self.status_code or self.error}"

"""Operations: one row per user request that changes something at Gandi."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .accounts import GandiAccount
from .sites import Site

STEP_ORDER = ["BILL", "WAIT", "RUN", "DONE"]


class OperationKind(models.TextChoices):
    CREATE = "create", "Create site"
    UPDATE_VHOSTS = "update_vhosts", "Change vhosts"
    UPGRADE = "upgrade", "Upgrade package"
    DELETE = "delete", "Delete site"


class OperationStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    SENDING = "sending", "Being sent to Gandi"
    CHECKING = "checking", "Checking what Gandi did"
    IN_PROGRESS = "in_progress", "In progress at Gandi"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    NEEDS_ATTENTION = "needs_attention", "Needs attention"


IN_FLIGHT = (
    OperationStatus.QUEUED,
    OperationStatus.SENDING,
    OperationStatus.CHECKING,
    OperationStatus.IN_PROGRESS,
)
FINAL = (
    OperationStatus.DONE,
    OperationStatus.FAILED,
    OperationStatus.CANCELLED,
    OperationStatus.NEEDS_ATTENTION,
)
STATUS_COLOURS = {
    OperationStatus.QUEUED: "secondary",
    OperationStatus.SENDING: "info",
    OperationStatus.CHECKING: "warning",
    OperationStatus.IN_PROGRESS: "primary",
    OperationStatus.DONE: "success",
    OperationStatus.FAILED: "danger",
    OperationStatus.CANCELLED: "secondary",
    OperationStatus.NEEDS_ATTENTION: "warning",
}


class OperationQuerySet(models.QuerySet):
    def in_flight(self) -> OperationQuerySet:
        return self.filter(status__in=IN_FLIGHT)


class Operation(models.Model):
    """A user's request to change something at Gandi, written before anything is queued.

    The UI shows operations from these rows, never from Celery.
    """

    account = models.ForeignKey(GandiAccount, on_delete=models.CASCADE, related_name="operations")
    kind = models.CharField(max_length=16, choices=OperationKind.choices)
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="operations"
    )
    site_name = models.CharField(max_length=255, blank=True)  # kept if the site row goes
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=OperationStatus.choices, default=OperationStatus.QUEUED
    )
    gandi_operation_id = models.BigIntegerField(null=True, blank=True)
    gandi_step = models.CharField(max_length=32, blank=True)
    gandi_eta = models.IntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)  # plain words for the user
    error_detail = models.TextField(blank=True)  # the raw Gandi fault, for support
    retry_safe = models.BooleanField(default=False)  # Gandi certainly did not act
    retry_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="retries"
    )
    attempts = models.PositiveIntegerField(default=0)  # sends tried (rejected ones included)
    polls = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The worker sending this row holds it until then, and renews it while its call runs; a
    # SENDING row whose lease has passed belongs to a dead worker. For a row in CHECKING it is
    # the last moment its call could have been on the wire.
    lease_until = models.DateTimeField(null=True, blank=True)
    auto_resends = models.PositiveIntegerField(default=0)  # sent again after proof of nothing
    recovery_note = models.TextField(blank=True)  # what the portal looked at, in plain words
    submitted_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)  # or next send attempt
    deadline = models.DateTimeField()
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    cancel_sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When its notice and webhooks were written (with them, in one transaction); a row that
    # ended without it is caught up by beat (`notifications.notify_missed`).
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OperationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "idempotency_key"], name="operation_key_unique_in_account"
            ),
            # Adoption is atomic: one Gandi operation, and one created Gandi site, per row.
            models.UniqueConstraint(
                fields=["account", "gandi_operation_id"],
                condition=models.Q(gandi_operation_id__isnull=False),
                name="operation_gandi_id_adopted_once",
            ),
            models.UniqueConstraint(
                fields=["site"],
                condition=models.Q(kind="create", site__isnull=False),
                name="operation_one_create_per_site",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_poll_at"]),
            models.Index(fields=["account", "status"]),
            models.Index(fields=["account", "-created_at"]),
            models.Index(fields=["site", "-created_at"]),
            # The list, newest first, across the team's accounts; and by each of its filters
            # (read in the same order, so a rare status is found without scanning the rest).
            models.Index(fields=["created_at", "id"], name="operation_by_created"),
            models.Index(fields=["status", "created_at", "id"], name="operation_status_by_created"),
            models.Index(
                fields=["gandi_step", "created_at", "id"], name="operation_step_by_created"
            ),
            models.Index(fields=["kind", "created_at", "id"], name="operation_kind_by_created"),
            # The catch-up sweep's rows: ended and not notified (a handful at any time).
            models.Index(
                fields=["finished_at"],
                condition=models.Q(notified_at__isnull=True, finished_at__isnull=False),
                name="operation_not_notified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.site_name}".strip()

    @property
    def team(self):
        return self.account.team

    @property
    def is_in_flight(self) -> bool:
        return self.status in IN_FLIGHT

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def status_colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "dark")

    @property
    def can_cancel(self) -> bool:
        if self.cancel_requested_at is not None:
            return False
        if self.status == OperationStatus.QUEUED:
            return True
        return self.status == OperationStatus.IN_PROGRESS and self.gandi_step in ("BILL", "WAIT")

    @property
    def can_retry(self) -> bool:
        # Retried once already: the retry (and its own Retry button) carries on from here, so
        # a reloaded page cannot send the same request to Gandi twice.
        return (
            self.retry_safe
            and self.status in (OperationStatus.FAILED, OperationStatus.CANCELLED)
            and self.retried_as is None
        )

    @property
    def retried_as(self) -> Operation | None:
        return self.retries.order_by("pk").first()

    @property
    def progress_steps(self) -> list[dict]:
        """BILL → WAIT → RUN → DONE, each marked done, current or to come."""
        step = self.gandi_step
        current = STEP_ORDER.index(step) if step in STEP_ORDER else -1
        if self.status == OperationStatus.DONE:
            current = len(STEP_ORDER)
        steps = []
        for index, name in enumerate(STEP_ORDER):
            if index < current or (name == "DONE" and self.status == OperationStatus.DONE):
                state = "done"
            elif index == current:
                state = "current"
            else:
                state = "todo"
            steps.append({"name": name, "state": state})
        return steps

    @property
    def progress_percent(self) -> int:
        if self.status == OperationStatus.DONE:
            return 100
        if self.gandi_step in STEP_ORDER:
            return int(100 * (STEP_ORDER.index(self.gandi_step) + 0.5) / len(STEP_ORDER))
        return 5 if self.status in (OperationStatus.SENDING, OperationStatus.CHECKING) else 0

    def elapsed(self):
        end = self.finished_at or timezone.now()
        return end - self.created_at

    @property
    def elapsed_text(self) -> str:
        seconds = max(0, int(self.elapsed().total_seconds()))
        if seconds < 60:
            return f"{seconds} s"
        minutes, seconds = divmod(seconds, 60)
        if minutes < 60:
            return f"{minutes} min {seconds} s"
        hours, minutes = divmod(minutes, 60)
        return f"{hours} h {minutes} min"

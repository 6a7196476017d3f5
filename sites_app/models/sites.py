"""Sites as Gandi knows them, their vhosts, and create/vhost requests waiting for DNS proof."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .accounts import GandiAccount


class SiteState(models.TextChoices):
    BEING_CREATED = "being_created", "Being created"
    ACTIVE = "active", "Active"
    BEING_UPDATED = "being_updated", "Being updated"
    BEING_DELETED = "being_deleted", "Being deleted"
    DELETED = "deleted", "Deleted"


SITE_STATE_COLOURS = {
    SiteState.ACTIVE: "success",
    SiteState.BEING_CREATED: "info",
    SiteState.BEING_UPDATED: "info",
    SiteState.BEING_DELETED: "warning",
    SiteState.DELETED: "secondary",
}


class SiteQuerySet(models.QuerySet):
    def present(self) -> SiteQuerySet:
        """Sites that still exist at Gandi (deleted ones keep their rows for history)."""
        return self.filter(removed_at__isnull=True)


class Site(models.Model):
    """A mirror of one Gandi site, refreshed from site.list / site.info."""

    account = models.ForeignKey(GandiAccount, on_delete=models.CASCADE, related_name="sites")
    gandi_id = models.BigIntegerField()
    name = models.CharField(max_length=255)
    provider = models.CharField(max_length=64, blank=True)
    package = models.CharField(max_length=64, blank=True)
    # Not limited to SiteState: a state Gandi adds later is stored and shown as is.
    state = models.CharField(max_length=32, blank=True)
    preferred_vhost = models.CharField(max_length=255, blank=True)
    parking_vhost = models.CharField(max_length=255, blank=True)
    date_created = models.DateTimeField(null=True, blank=True)
    date_updated = models.DateTimeField(null=True, blank=True)
    paid_until = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    # Set when Gandi no longer lists the site; the row stays so its history stays.
    removed_at = models.DateTimeField(null=True, blank=True)
    # The sync pass (SiteSync.pass_number) that last listed it: a completed pass sweeps the
    # sites it did not list, so nothing is hidden while a pass runs.
    listed_in_pass = models.PositiveIntegerField(default=0)
    # site.info (the vhosts) is still to be read: the site is new or its list row changed.
    details_due = models.BooleanField(default=False)
    details_read_at = models.DateTimeField(null=True, blank=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["name", "gandi_id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "gandi_id"], name="site_unique_in_account")
        ]
        indexes = [
            models.Index(fields=["account", "removed_at", "name"]),
            models.Index(fields=["account", "removed_at", "paid_until"]),
            models.Index(fields=["account", "state"]),
            models.Index(fields=["account", "package"]),
            models.Index(fields=["account", "details_due", "details_read_at"]),
            # The list's sorts (and the dashboard's "expiring"), read in index order over
            # the sites that still exist; each serves its reverse sort too.
            models.Index(
                fields=["name", "gandi_id"],
                condition=models.Q(removed_at__isnull=True),
                name="site_present_by_name",
            ),
            models.Index(
                fields=["paid_until", "gandi_id"],
                condition=models.Q(removed_at__isnull=True),
                name="site_present_by_paid",
            ),
            models.Index(
                fields=["date_created", "gandi_id"],
                condition=models.Q(removed_at__isnull=True),
                name="site_present_by_created",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def team(self):
        return self.account.team

    @property
    def state_label(self) -> str:
        try:
            return SiteState(self.state).label
        except ValueError:
            return self.state or "Unknown"

    @property
    def state_colour(self) -> str:
        return SITE_STATE_COLOURS.get(self.state, "dark")

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    def days_left(self) -> int | None:
        if self.paid_until is None:
            return None
        return (self.paid_until - timezone.now()).days

    def vhost_names(self) -> list[str]:
        return [v.name for v in self.vhosts.all()]


class Ownership(models.TextChoices):
    PARKING = "parking", "Parking vhost (provider domain)"
    GANDI = "gandi", "Domain managed at Gandi"
    TXT_NEEDED = "txt_needed", "TXT record needed"
    TXT_SEEN = "txt_seen", "TXT record seen"
    ACCEPTED = "accepted", "Accepted by Gandi"


OWNERSHIP_COLOURS = {
    Ownership.PARKING: "secondary",
    Ownership.GANDI: "success",
    Ownership.TXT_NEEDED: "warning",
    Ownership.TXT_SEEN: "success",
    Ownership.ACCEPTED: "success",
}


class VirtualHost(models.Model):
    """One host name of a site; position 0 is the preferred one."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="vhosts")
    name = models.CharField(max_length=253)
    position = models.PositiveIntegerField(default=0)
    ownership = models.CharField(
        max_length=16, choices=Ownership.choices, default=Ownership.ACCEPTED
    )
    txt_name = models.CharField(max_length=253, blank=True)
    txt_value = models.CharField(max_length=255, blank=True)
    last_dns_check_at = models.DateTimeField(null=True, blank=True)
    last_dns_answer = models.TextField(blank=True)

    class Meta:
        ordering = ["site", "position"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="vhost_unique_in_site")
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def ownership_colour(self) -> str:
        return OWNERSHIP_COLOURS.get(self.ownership, "secondary")


class PendingRequest(models.Model):
    """A create or vhost change that waits for TXT ownership records to show in DNS.

    Stored so that it survives the browser closing, and so beat can re-check DNS.
    """

    class Kind(models.TextChoices):
        CREATE = "create", "Create a site"
        UPDATE_VHOSTS = "update_vhosts", "Change vhosts"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for DNS"
        READY = "ready", "Every record seen"
        SUBMITTED = "submitted", "Submitted"
        ABANDONED = "abandoned", "Abandoned"

    account = models.ForeignKey(
        GandiAccount, on_delete=models.CASCADE, related_name="pending_requests"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="pending_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    params = models.JSONField(default=dict)
    idempotency_key = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    # "Create as soon as every record is seen": who chose it; the background re-check then
    # confirms in that person's name, if they still hold the right to.
    auto_submit_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    check_count = models.PositiveIntegerField(default=0)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    operation = models.OneToOneField(
        "sites_app.Operation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pending_request",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "idempotency_key"], name="pending_key_unique_in_account"
            )
        ]
        indexes = [models.Index(fields=["status", "next_check_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.params.get('name') or self.site}"

    @property
    def title(self) -> str:
        if self.kind == self.Kind.CREATE:
            return f"Create {self.params.get('name', '')}"
        return f"Change vhosts of {self.site}"

    @property
    def all_seen(self) -> bool:
        return not self.records.filter(seen=False).exists()


class OwnershipRecord(models.Model):
    """One TXT record a vhost needs, and what DNS said about it at the last check."""

    pending = models.ForeignKey(PendingRequest, on_delete=models.CASCADE, related_name="records")
    vhost = models.CharField(max_length=253)
    txt_name = models.CharField(max_length=253)
    txt_value = models.CharField(max_length=255)
    ttl = models.PositiveIntegerField(default=10800)
    seen = models.BooleanField(default=False)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_answer = models.TextField(blank=True)

    class Meta:
        ordering = ["pending", "id"]

    def __str__(self) -> str:
        return f"{self.txt_name} TXT {self.txt_value}"

    @property
    def zone_line(self) -> str:
        return f'{self.txt_name}. {self.ttl} IN TXT "{self.txt_value}"'

"""Where the sync of an account's sites from Gandi stands: one row per account.

The row is the sync's memory. A pass reads `site.list` in pages after `cursor` (the last Gandi
id read), and every page is written with the cursor in one transaction, so a killed worker or
a time limit loses at most the page it was reading; the next task resumes from the cursor.
"""

from __future__ import annotations

from django.db import models

from .accounts import GandiAccount


class SiteSync(models.Model):
    """The current (or last) full pass of `site.list` for one Gandi account."""

    class Status(models.TextChoices):
        IDLE = "idle", "Never run"
        RUNNING = "running", "Reading sites"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    account = models.OneToOneField(GandiAccount, on_delete=models.CASCADE, related_name="site_sync")
    # Increases with every pass; Site.listed_in_pass says which pass last listed a site.
    pass_number = models.PositiveIntegerField(default=0)
    # Passes that listed every site. Until one has, a site new to the portal is the import
    # of what the account held already, not news: no site.created webhook for it.
    completed_passes = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IDLE)
    cursor = models.BigIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)  # site.count when the pass began
    sites_read = models.PositiveIntegerField(default=0)
    pages_read = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    # When someone pressed "Sync from Gandi" (the periodic sync leaves it alone).
    requested_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Every page moves it on: a running pass that has not moved for a while lost its worker.
    progressed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"sync of {self.account_id}: pass {self.pass_number} {self.status}"

    @property
    def running(self) -> bool:
        return self.status == self.Status.RUNNING

    @property
    def summary(self) -> str:
        return (
            f"{self.added} new, {self.changed} changed, {self.removed} gone, "
            f"{self.unchanged} unchanged"
        )

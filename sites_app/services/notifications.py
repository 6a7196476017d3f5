"""Notifications: when an operation someone requested ends, and when a team's site expires.

The lifecycle calls `operation_ended` once a row reaches a final state; that only enqueues a
task on commit, so an operation never waits for (or fails because of) a notice. The tasks
write one Notification row per person and event (unique, so a re-run tells nobody twice),
queue the team's webhooks, and mail through the configured backend with retries. A message
lost on the way (the broker down, a worker killed) costs a delay, never the notice: beat's
`notify_missed` tells the operations not marked `notified_at` and sends the unsent mails.
Only current members of the team are told, with their own choices for that team.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from sites_app.models import (
    ExpiryNotice,
    Membership,
    Notification,
    NotificationEvent,
    NotificationPreference,
    Operation,
    OperationKind,
    OperationStatus,
    Site,
    WebhookEvent,
)
from sites_app.models.notifications import ALL_EVENTS
from sites_app.services import webhooks

log = logging.getLogger(__name__)

EXPIRY_THRESHOLDS = (30, 7, 1)  # days before paid-until, each told once
SUBJECT_PREFIX = "[Gandi Sites Portal] "

STATUS_EVENTS = {
    OperationStatus.DONE: NotificationEvent.OPERATION_DONE,
    OperationStatus.FAILED: NotificationEvent.OPERATION_FAILED,
    OperationStatus.NEEDS_ATTENTION: NotificationEvent.OPERATION_NEEDS_ATTENTION,
    OperationStatus.CANCELLED: NotificationEvent.OPERATION_CANCELLED,
}
STATUS_WORDS = {
    OperationStatus.DONE: "is done",
    OperationStatus.FAILED: "failed",
    OperationStatus.NEEDS_ATTENTION: "needs attention",
    OperationStatus.CANCELLED: "was cancelled",
}


# --- the hook the lifecycle calls ---------------------------------------------------------


def operation_ended(operation_id: int) -> None:
    """Tell people and webhooks, from a worker, once the final status is committed."""
    from sites_app import tasks_notify

    transaction.on_commit(
        lambda: tasks_notify.safe_delay(tasks_notify.notify_operation_ended, operation_id)
    )


# --- preferences ----------------------------------------------------------------------------


def preference_for(user, team) -> NotificationPreference:
    """The person's choices in the team (unsaved defaults when they never chose)."""
    found = NotificationPreference.objects.filter(user=user, team=team).first()
    return found or NotificationPreference(user=user, team=team)


def save_preference(user, team, *, email_events: list[str], portal_events: list[str]) -> None:
    NotificationPreference.objects.update_or_create(
        user=user,
        team=team,
        defaults={
            "email_events": [e for e in ALL_EVENTS if e in email_events],
            "portal_events": [e for e in ALL_EVENTS if e in portal_events],
        },
    )


# --- writing notices --------------------------------------------------------------------


def _tell(
    user, team, event: str, dedupe_key: str, title: str, body: str, link: str, **about
) -> Notification | None:
    """One notice for one current member, on the channels they chose; None if none."""
    if not Membership.objects.filter(user=user, team=team).exists():
        return None
    pref = preference_for(user, team)
    in_portal = event in pref.portal_events
    by_email = event in pref.email_events and bool(user.email)
    if not (in_portal or by_email):
        return None
    try:
        with transaction.atomic():
            notice = Notification.objects.create(
                user=user,
                team=team,
                event=event,
                dedupe_key=dedupe_key,
                title=title[:200],
                body=body,
                link=link,
                in_portal=in_portal,
                by_email=by_email,
                **about,
            )
    except IntegrityError:  # told already (a re-run, a second beat)
        return None
    if by_email:
        from sites_app import tasks_notify

        transaction.on_commit(
            lambda: tasks_notify.safe_delay(tasks_notify.notify_send_email, notice.pk)
        )
    return notice


def record_operation_ended(operation_id: int) -> int:
    """Notice for the person who asked, and the team's webhooks; returns notices written."""
    op = (
        Operation.objects.select_related("account__team", "site", "requested_by")
        .filter(pk=operation_id)
        .first()
    )
    if op is None or op.status not in STATUS_EVENTS:
        return 0
    team = op.account.team
    written = 0
    with transaction.atomic():
        # Marked in the transaction that writes the notice and the webhooks: both or neither
        # (the sweep catches up a row whose message was lost). A second run (the sweep and a
        # late message at once) waits on this row, then finds it told: it writes nothing.
        claimed = Operation.objects.filter(pk=op.pk, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
        if not claimed:
            return 0
        if op.requested_by is not None:
            words = STATUS_WORDS[op.status]
            title = f"{op.get_kind_display()} of {op.site_name or 'a site'} {words}"
            body = op.last_error or f"Operation #{op.pk} {words}."
            notice = _tell(
                op.requested_by,
                team,
                STATUS_EVENTS[op.status],
                f"operation:{op.pk}",
                title,
                body,
                reverse("operation_detail", args=[op.pk]),
                operation=op,
                site=op.site,
            )
            written += notice is not None
        _queue_operation_webhooks(op, team)
    return written


def operation_data(op: Operation) -> dict:
    return {
        "source": "portal",  # made by an operation of the portal; "sync": found at Gandi
        "operation": {
            "id": op.pk,
            "kind": op.kind,
            "status": op.status,
            "message": op.last_error,
            "gandi_operation_id": op.gandi_operation_id,
            "requested_by": getattr(op.requested_by, "username", None),
            "created": op.created_at.isoformat(),
            "finished": op.finished_at.isoformat() if op.finished_at else None,
            "url": settings.PORTAL_URL + reverse("operation_detail", args=[op.pk]),
        },
        "site": site_data(op.site) if op.site else {"name": op.site_name},
    }


def site_data(site: Site) -> dict:
    return {
        "id": site.pk,
        "gandi_id": site.gandi_id,
        "name": site.name,
        "package": site.package,
        "preferred_vhost": site.preferred_vhost,
        "paid_until": site.paid_until.isoformat() if site.paid_until else None,
        "url": settings.PORTAL_URL + reverse("site_detail", args=[site.pk]),
    }


def _queue_operation_webhooks(op: Operation, team) -> None:
    data = operation_data(op)
    key = f"operation:{op.pk}"
    failed = op.status in (OperationStatus.FAILED, OperationStatus.NEEDS_ATTENTION)
    event = WebhookEvent.OPERATION_FAILED if failed else WebhookEvent.OPERATION_FINISHED
    webhooks.queue_event(team, event, key, data)
    if op.status == OperationStatus.DONE and op.site is not None:
        if op.kind == OperationKind.CREATE:
            webhooks.queue_event(team, WebhookEvent.SITE_CREATED, key, data)
        elif op.kind == OperationKind.DELETE:
            webhooks.queue_event(team, WebhookEvent.SITE_DELETED, key, data)


# --- expiring sites (beat) --------------------------------------------------------------


def threshold_for(paid_until, now) -> int | None:
    """The smallest threshold the paid period is within (a site first seen 5 days before its
    end gets the 7-day notice only), or None when it is further away or already over."""
    if paid_until <= now:
        return None
    left = paid_until - now
    within = [days for days in EXPIRY_THRESHOLDS if left <= timedelta(days=days)]
    return min(within) if within else None


def notify_expiring_sites(now=None) -> int:
    """Write the expiry notices that are due; returns how many were new."""
    now = now or timezone.now()
    horizon = now + timedelta(days=max(EXPIRY_THRESHOLDS))
    sites = list(
        Site.objects.present()
        .filter(paid_until__gt=now, paid_until__lte=horizon)
        .select_related("account__team")
    )
    done = set(
        ExpiryNotice.objects.filter(site__in=[s.pk for s in sites]).values_list(
            "site_id", "threshold_days", "paid_until"
        )
    )
    new = 0
    for site in sites:
        threshold = threshold_for(site.paid_until, now)
        if threshold is None or (site.pk, threshold, site.paid_until) in done:
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    notice = ExpiryNotice.objects.create(
                        site=site, threshold_days=threshold, paid_until=site.paid_until
                    )
            except IntegrityError:  # another beat (or a re-run) wrote it first
                continue
            _tell_expiry(site, notice, now)
        new += 1
    return new


def _tell_expiry(site: Site, notice: ExpiryNotice, now) -> None:
    team = site.account.team
    days = math.ceil((site.paid_until - now) / timedelta(days=1))  # "in 1 day" up to the end
    when = site.paid_until.strftime("%Y-%m-%d")
    title = f"{site.name} expires in {days} day{'s' if days != 1 else ''} ({when})"
    body = (
        f"The paid period of {site.name} ends on {when}. Renew it at Gandi before then to "
        "keep the site online."
    )
    link = reverse("site_detail", args=[site.pk])
    members = Membership.objects.filter(team=team).select_related("user")
    for membership in members:
        _tell(
            membership.user,
            team,
            NotificationEvent.SITE_EXPIRING,
            f"expiry:{notice.pk}",
            title,
            body,
            link,
            site=site,
        )
    data = {"site": site_data(site), "days_left": days, "threshold_days": notice.threshold_days}
    webhooks.queue_event(team, WebhookEvent.SITE_EXPIRING, f"expiry:{notice.pk}", data)


# --- mail -----------------------------------------------------------------------------------


def send_notification_email(notification_id: int) -> str:
    """Mail one notice; SMTP errors propagate so the task retries with backoff."""
    notice = Notification.objects.select_related("user", "team").filter(pk=notification_id).first()
    if notice is None or not notice.by_email or notice.emailed_at is not None:
        return "nothing to send"
    if not Membership.objects.filter(user=notice.user, team=notice.team).exists():
        return "no longer a member"
    if not notice.user.email:
        return "no address"
    # Claimed before sending, by setting emailed_at with a conditional UPDATE: of two tasks
    # for one notice (the sweep re-sent a message that was only late), one sends and the
    # other finds it taken. An SMTP error clears it again, for Celery's retry. A worker
    # killed mid-send leaves it set: that mail may be lost, but no mail is ever sent twice.
    if not Notification.objects.filter(pk=notice.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    ):
        return "nothing to send"
    link = settings.PORTAL_URL + notice.link if notice.link else settings.PORTAL_URL
    message = (
        f"Hello {notice.user.get_username()},\n\n{notice.body}\n\nTeam: {notice.team.name}\n"
        f"Details: {link}\n\nChange which notices you get: "
        f"{settings.PORTAL_URL}{reverse('notification_preferences')}\n"
    )
    try:
        send_mail(
            SUBJECT_PREFIX + notice.title,
            message,
            settings.DEFAULT_FROM_EMAIL,
            [notice.user.email],
        )
    except OSError as exc:  # smtplib.SMTPException is an OSError
        Notification.objects.filter(pk=notice.pk).update(
            emailed_at=None, email_error=str(exc)[:300]
        )
        raise
    Notification.objects.filter(pk=notice.pk).update(emailed_at=timezone.now(), email_error="")
    return "sent"


# --- catching up what a lost message left undone (beat) ---------------------------------

# An ended operation is normally told within seconds; after this, its message was lost.
MISSED_AFTER = timedelta(seconds=60)
MISSED_WITHIN = timedelta(days=7)  # older ones are not news any more
MAIL_MISSED_AFTER = timedelta(minutes=10)
MAIL_MISSED_WITHIN = timedelta(days=1)
CATCH_UP_BATCH = 300  # rows of each kind per tick: a backlog drains over a few minutes


def notify_missed(now=None) -> dict[str, int]:
    """Tell what an enqueue that failed (the broker down) or a worker that died left
    untold: ended operations not notified yet, and mails not sent. Safe to run twice."""
    from sites_app import tasks_notify

    now = now or timezone.now()
    missed = list(
        Operation.objects.filter(
            notified_at__isnull=True,
            finished_at__lt=now - MISSED_AFTER,
            finished_at__gt=now - MISSED_WITHIN,
            status__in=list(STATUS_EVENTS),
        )
        .order_by("finished_at")
        .values_list("pk", flat=True)[:CATCH_UP_BATCH]
    )
    for operation_id in missed:
        record_operation_ended(operation_id)
    unsent = list(
        Notification.objects.filter(
            by_email=True,
            emailed_at__isnull=True,
            email_error="",  # a failed mail is Celery's to retry, with its backoff
            created_at__lt=now - MAIL_MISSED_AFTER,
            created_at__gt=now - MAIL_MISSED_WITHIN,
            team__memberships__user=F("user"),  # the mail task would skip the others
        )
        .exclude(user__email="")
        .order_by("created_at")
        .values_list("pk", flat=True)[:CATCH_UP_BATCH]
    )
    for notification_id in unsent:
        tasks_notify.safe_delay(tasks_notify.notify_send_email, notification_id)
    if missed or unsent:
        log.warning(
            "caught up %s operation end(s) and %s mail(s) whose message was lost",
            len(missed),
            len(unsent),
        )
    return {"operations": len(missed), "mails": len(unsent)}


# --- the bell ---------------------------------------------------------------------------


def visible_to(user):
    """The person's bell: notices shown in the portal, of teams they are still in."""
    return Notification.objects.filter(
        user=user, in_portal=True, team__memberships__user=user
    ).select_related("team")


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return visible_to(user).filter(read_at__isnull=True).count()


def mark_read(user, notification_ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())

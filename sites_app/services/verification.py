"""Ownership proofs: dry runs that ask for TXT records, DNS checks, and the confirmed submit."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from sites_app import audit, dns
from sites_app.crypto import SecretUnreadable
from sites_app.gandi.client import Problem
from sites_app.gandi.errors import GandiError
from sites_app.models import (
    GandiAccount,
    Operation,
    OperationKind,
    Ownership,
    OwnershipRecord,
    PendingRequest,
    Site,
    VirtualHost,
)
from sites_app.models.audit import AuditEvent
from sites_app.services import quotes
from sites_app.services.operations import OperationRefused, request_operation

log = logging.getLogger(__name__)

# Seconds between automatic DNS checks: quick at first, since people publish and then wait.
CHECK_BACKOFF = [5, 10, 20, 40, 60, 120, 300, 600, 1800]
# Seconds a check (a click on "Check DNS now", or the background re-check) may spend on
# look-ups; each look-up is bounded by settings.DNS_TIMEOUT.
CHECK_TIME_BUDGET = 8.0
# A pending request nobody confirmed is dropped from background checks after this long.
GIVE_UP_AFTER = timedelta(days=7)


@dataclass
class DryRunOutcome:
    """What a dry run said: field errors for the form, and TXT records the vhosts need."""

    field_errors: dict[str, list[str]] = field(default_factory=dict)
    txt_problems: list[Problem] = field(default_factory=list)


def read_problems(problems: list[Problem], known_fields: set[str]) -> DryRunOutcome:
    outcome = DryRunOutcome()
    for problem in problems:
        if problem.txt_record is not None:
            outcome.txt_problems.append(problem)
            continue
        target = problem.field if problem.field in known_fields else "__all__"
        text = problem.reason
        if problem.attr:
            text = f"{problem.reason} ({', '.join(str(a) for a in problem.attr)})"
        outcome.field_errors.setdefault(target, []).append(text)
    return outcome


def next_check_delay(check_count: int) -> int:
    return CHECK_BACKOFF[min(check_count, len(CHECK_BACKOFF) - 1)]


def start_pending(
    *,
    account: GandiAccount,
    kind: str,
    user,
    params: dict,
    idempotency_key: str,
    txt_problems: list[Problem],
    site: Site | None = None,
    request=None,
) -> PendingRequest:
    """Store the request and the records DNS must show; the same key gives the same row."""
    with transaction.atomic():
        existing = PendingRequest.objects.filter(account=account, idempotency_key=idempotency_key)
        if found := existing.first():
            return found
        try:
            with transaction.atomic():
                pending = PendingRequest.objects.create(
                    account=account,
                    kind=kind,
                    site=site,
                    requested_by=user,
                    params=params,
                    idempotency_key=idempotency_key,
                    next_check_at=timezone.now() + timedelta(seconds=next_check_delay(0)),
                )
        except IntegrityError:
            return PendingRequest.objects.get(account=account, idempotency_key=idempotency_key)
        for problem in txt_problems:
            record = problem.txt_record
            OwnershipRecord.objects.create(
                pending=pending,
                vhost=record.name,
                txt_name=record.name,
                txt_value=record.value,
                ttl=record.ttl,
            )
        if site is not None:
            site.vhosts.filter(name__in=[p.txt_record.name for p in txt_problems]).update(
                ownership=Ownership.TXT_NEEDED
            )
        audit.record(
            "site.verification_started",
            actor=user,
            team=account.team,
            obj=pending,
            request=request,
            vhosts=[p.txt_record.name for p in txt_problems],
        )
    return pending


def check_dns(pending: PendingRequest) -> bool:
    """Look up the records not seen yet, within CHECK_TIME_BUDGET; True when all are seen.

    A record once seen is not looked up again; records left over when the time is spent
    wait for the next check."""
    now = timezone.now()
    stop_at = time.monotonic() + CHECK_TIME_BUDGET
    for record in pending.records.filter(seen=False).order_by("txt_name"):
        if time.monotonic() >= stop_at:
            break
        answer = dns.lookup_txt(record.txt_name)
        record.seen = record.seen or record.txt_value in answer.values
        record.last_checked_at = now
        record.last_answer = answer.describe()
        record.save(update_fields=["seen", "last_checked_at", "last_answer"])
        _mirror_on_vhost(pending, record)
    all_seen = pending.all_seen
    pending.check_count += 1
    pending.last_checked_at = now
    pending.next_check_at = now + timedelta(seconds=next_check_delay(pending.check_count))
    pending.save(update_fields=["check_count", "last_checked_at", "next_check_at"])
    if all_seen and pending.status == PendingRequest.Status.WAITING:
        # Only from waiting: a check running beside a confirm never undoes "submitted".
        PendingRequest.objects.filter(pk=pending.pk, status=PendingRequest.Status.WAITING).update(
            status=PendingRequest.Status.READY
        )
        pending.status = PendingRequest.Status.READY
    return all_seen


def _mirror_on_vhost(pending: PendingRequest, record: OwnershipRecord) -> None:
    if pending.site_id is None:
        return
    VirtualHost.objects.filter(site_id=pending.site_id, name=record.vhost).update(
        ownership=Ownership.TXT_SEEN if record.seen else Ownership.TXT_NEEDED,
        txt_name=record.txt_name,
        txt_value=record.txt_value,
        last_dns_check_at=record.last_checked_at,
        last_dns_answer=record.last_answer,
    )


def confirm_pending(pending: PendingRequest, user, request=None) -> Operation:
    """Every record is seen and the person confirms: write the Operation and queue it."""
    return submit_pending(pending, user, request=request)[0]


def submit_pending(pending: PendingRequest, user, request=None) -> tuple[Operation, bool]:
    """`confirm_pending`, also saying whether this call made the Operation (False: it was
    submitted before). The row is locked first, so two confirms at once (a page, a script,
    the background re-check) make one Operation and the second gets the first's."""
    with transaction.atomic():
        # Alone: PostgreSQL locks no row of the nullable side of a join (site, operation).
        locked = PendingRequest.objects.select_for_update().get(pk=pending.pk)
        if locked.operation_id:
            return locked.operation, False
        if locked.status == PendingRequest.Status.ABANDONED:
            raise OperationRefused("This request was abandoned; start again.")
        if not locked.all_seen:
            raise OperationRefused(
                "DNS does not show every TXT record yet. Check DNS again once they are published."
            )
        if locked.site is not None and _vhosts_moved_on(locked):
            raise OperationRefused(
                f"The vhosts of {locked.site.name} changed since this request was made; "
                "sending it now would undo that change. Abandon it and make the change again "
                "from the Vhosts page."
            )
        kind = (
            OperationKind.CREATE
            if locked.kind == PendingRequest.Kind.CREATE
            else OperationKind.UPDATE_VHOSTS
        )
        op, created = request_operation(
            account=locked.account,
            kind=kind,
            user=user,
            params=locked.params,
            idempotency_key=locked.idempotency_key,
            site=locked.site,
            request=request,
        )
        PendingRequest.objects.filter(pk=locked.pk).update(
            operation=op, status=PendingRequest.Status.SUBMITTED
        )
    pending.operation, pending.status = op, PendingRequest.Status.SUBMITTED
    return op, created


@dataclass
class CheckOutcome:
    """What a check found: the Operation once the request is submitted, else the records
    DNS does not show yet."""

    operation: Operation | None = None
    created: bool = False
    missing: list[OwnershipRecord] = field(default_factory=list)


def check_and_submit(pending: PendingRequest, user, request=None) -> CheckOutcome:
    """A script's one step: look at DNS now (the page's "Check DNS now") and, once every
    record is seen, submit as the page's confirm does. A create's confirmed price is first
    compared with Gandi's, as the worker does before sending (QuoteChanged: nothing written)."""
    if pending.operation_id:
        return CheckOutcome(operation=pending.operation)
    if pending.status == PendingRequest.Status.ABANDONED:
        raise OperationRefused("This request was abandoned; nothing was sent. Start again.")
    if pending.status == PendingRequest.Status.WAITING or not pending.all_seen:
        check_dns(pending)
    missing = list(pending.records.filter(seen=False).order_by("txt_name"))
    if missing:
        return CheckOutcome(missing=missing)
    op, created = confirm_at_price(pending, user, request=request)
    return CheckOutcome(operation=op, created=created)


def confirm_at_price(pending: PendingRequest, user, request=None) -> tuple[Operation, bool]:
    """A person's or a script's confirm: a create confirmed at a price, days ago perhaps, is
    refused now (QuoteChanged, nothing written) when Gandi's price went up since, rather than
    become an operation the worker refuses to send. When Gandi cannot be asked just now, the
    confirm goes ahead: the worker still compares the price before it sends anything."""
    if pending.kind == PendingRequest.Kind.CREATE and not pending.operation_id:
        try:
            quotes.check_before_send(pending.account, pending.params, for_request=True)
        except quotes.QuoteChanged:
            raise
        except (GandiError, SecretUnreadable):  # QuoteChanged is a GandiError too: above
            log.warning("price of pending create %s not checked at confirm", pending.pk)
    return submit_pending(pending, user, request=request)


def _vhosts_moved_on(pending: PendingRequest) -> bool:
    based_on = pending.params.get("based_on")
    return based_on is not None and pending.site.vhost_names() != based_on


def abandon(pending: PendingRequest, user, request=None) -> bool:
    """Drop a request not submitted yet; False when there was nothing to drop."""
    dropped = (
        PendingRequest.objects.filter(pk=pending.pk, operation__isnull=True)
        .exclude(status=PendingRequest.Status.ABANDONED)
        .update(status=PendingRequest.Status.ABANDONED)
    )
    if not dropped:
        return False
    pending.status = PendingRequest.Status.ABANDONED
    audit.record(
        "site.verification_abandoned",
        actor=user,
        team=pending.account.team,
        obj=pending,
        request=request,
    )
    return True


def recheck_due() -> int:
    """Background DNS checks for pending requests whose next check is due."""
    now = timezone.now()
    due = PendingRequest.objects.filter(
        status=PendingRequest.Status.WAITING,
        next_check_at__lte=now,
        created_at__gte=now - GIVE_UP_AFTER,
    )
    checked = 0
    for pending in due.select_related("account__team", "site", "auto_submit_by")[:200]:
        if check_dns(pending) and pending.auto_submit_by_id:
            auto_submit(pending)
        checked += 1
    return checked


def choose_auto_submit(pending: PendingRequest, user, request=None) -> None:
    """The person asks for the request to go to Gandi as soon as DNS shows every record."""
    PendingRequest.objects.filter(pk=pending.pk).update(auto_submit_by=user)
    pending.auto_submit_by = user
    audit.record(
        "site.verification_auto_chosen",
        actor=user,
        team=pending.account.team,
        obj=pending,
        request=request,
    )


def auto_submit(pending: PendingRequest) -> Operation | None:
    """Confirm in the name of the person who chose it, if they still may; audited either way."""
    from sites_app import access
    from sites_app.access import Right

    user = pending.auto_submit_by
    membership = access.membership_in(user, pending.account.team_id) if user else None
    needed = Right.SPEND if pending.kind == PendingRequest.Kind.CREATE else Right.OPERATE
    if membership is None or needed not in access.rights_of(membership.role):
        return _auto_submit_given_up(
            pending,
            user,
            "Not sent: the person who chose it no longer has the right; confirm by hand.",
        )
    try:
        op = confirm_pending(pending, user)
    except OperationRefused as exc:
        return _auto_submit_given_up(pending, user, exc.message)
    audit.record(
        "site.verification_auto_submitted",
        actor=user,
        team=pending.account.team,
        obj=op,
        pending=pending.pk,
    )
    return op


def _auto_submit_given_up(pending: PendingRequest, user, message: str) -> None:
    """The choice is dropped (a person confirms by hand) and the failure is audited."""
    PendingRequest.objects.filter(pk=pending.pk).update(auto_submit_by=None)
    audit.record(
        "site.verification_auto_submitted",
        actor=user,
        team=pending.account.team,
        obj=pending,
        outcome=AuditEvent.Outcome.FAILURE,
        message=message,
    )


_SUFFIXES = None


def with_zone_names(records) -> list[OwnershipRecord]:
    """The records, each with `relative_name` and `zone` for the page."""
    records = list(records)
    for record in records:
        record.relative_name, record.zone = zone_parts(record.txt_name)
    return records


def zone_parts(name: str) -> tuple[str, str]:
    """A record's name as DNS providers ask for it: ('www', 'example.co.uk') for
    www.example.co.uk; ('@', zone) for the zone's apex. The zone is the registrable domain
    (the Public Suffix List); a name it does not know keeps its last two labels as zone."""
    global _SUFFIXES
    if _SUFFIXES is None:
        from publicsuffixlist import PublicSuffixList

        _SUFFIXES = PublicSuffixList()
    name = name.rstrip(".").lower()
    zone = _SUFFIXES.privatesuffix(name) or ".".join(name.split(".")[-2:])
    if name == zone:
        return "@", zone
    return name[: -len(zone) - 1], zone


class EditRefused(Exception):
    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


def edit_pending(pending: PendingRequest, vhosts: list[str], user, request=None) -> None:
    """Correct the vhosts of a request that waits for DNS, without starting over.

    Gandi's dry run checks the new list; records already seen for an unchanged vhost stay
    seen; the records of vhosts no longer asked for are dropped."""
    client = pending.account.client(for_request=True)
    params = dict(pending.params)
    if pending.kind == PendingRequest.Kind.CREATE:
        keep = ("name", "provider", "package", "duration")
        problems = client.site_create_dry_run(
            **{k: params[k] for k in keep if k in params}, vhosts=vhosts
        )
    else:
        problems = client.site_update_dry_run(pending.site.gandi_id, vhosts=vhosts)
    outcome = read_problems(problems, {"vhosts"})
    if outcome.field_errors:
        raise EditRefused([e for errors in outcome.field_errors.values() for e in errors])
    params["vhosts"] = vhosts
    if pending.kind == PendingRequest.Kind.UPDATE_VHOSTS:
        current = pending.site.vhost_names()
        params["added_vhosts"] = [v for v in vhosts if v not in current]
    wanted = {p.txt_record.name: p.txt_record for p in outcome.txt_problems}
    with transaction.atomic():
        records = pending.records.select_for_update()
        for record in records:
            if wanted.get(record.vhost) is None or wanted[record.vhost].value != record.txt_value:
                record.delete()
        known = set(pending.records.values_list("vhost", flat=True))
        for name, txt in wanted.items():
            if name not in known:
                OwnershipRecord.objects.create(
                    pending=pending, vhost=name, txt_name=name, txt_value=txt.value, ttl=txt.ttl
                )
        all_seen = not pending.records.filter(seen=False).exists()
        PendingRequest.objects.filter(pk=pending.pk, operation__isnull=True).update(
            params=params,
            status=PendingRequest.Status.READY if all_seen else PendingRequest.Status.WAITING,
            check_count=0,
            next_check_at=timezone.now() + timedelta(seconds=next_check_delay(0)),
        )
        audit.record(
            "site.verification_edited",
            actor=user,
            team=pending.account.team,
            obj=pending,
            request=request,
            vhosts=vhosts,
        )

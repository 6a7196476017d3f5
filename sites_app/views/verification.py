"""The TXT verification page: records to publish, DNS checks, and the confirmed submit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from sites_app import access
from sites_app.access import Right
from sites_app.crypto import SecretUnreadable
from sites_app.forms.sites import VhostListField
from sites_app.gandi.errors import GandiError
from sites_app.models import PendingRequest
from sites_app.services import verification
from sites_app.services.operations import OperationRefused
from sites_app.services.quotes import QuoteChanged


def get_pending(request, pending_id: int, right: Right = Right.VIEW):
    return access.get_for_user(
        request,
        PendingRequest.objects.select_related("account__team", "site", "operation"),
        right,
        team_field="account__team",
        pk=pending_id,
    )


def confirm_right(pending: PendingRequest) -> Right:
    return Right.SPEND if pending.kind == PendingRequest.Kind.CREATE else Right.OPERATE


def _context(pending: PendingRequest, membership) -> dict:
    rights = access.rights_of(membership.role)
    delay = verification.next_check_delay(pending.check_count)
    return {
        "pending": pending,
        "records": verification.with_zone_names(pending.records.all()),
        "all_seen": pending.all_seen,
        "can_check": Right.OPERATE in rights,
        "can_confirm": confirm_right(pending) in rights,
        # The page re-checks while open: quickly at first, then less often.
        "poll_delay": delay,
        "waiting": pending.status == PendingRequest.Status.WAITING,
        "open": pending.status in (PendingRequest.Status.WAITING, PendingRequest.Status.READY),
        "vhosts_text": "\n".join(pending.params.get("vhosts", [])),
    }


@login_required
@require_safe
def verification_detail(request, pending_id: int):
    pending, membership = get_pending(request, pending_id, Right.VIEW)
    if pending.operation_id:
        return redirect("operation_detail", operation_id=pending.operation_id)
    return render(request, "sites/verification.html", _context(pending, membership))


@login_required
@require_safe
def verification_records(request, pending_id: int):
    pending, membership = get_pending(request, pending_id, Right.VIEW)
    return render(
        request, "sites/partials/verification_records.html", _context(pending, membership)
    )


@login_required
@require_POST
def verification_check(request, pending_id: int):
    pending, membership = get_pending(request, pending_id, Right.OPERATE)
    if pending.status == PendingRequest.Status.WAITING or not pending.all_seen:
        verification.check_dns(pending)
        pending.refresh_from_db()
    if request.htmx:
        return render(
            request, "sites/partials/verification_records.html", _context(pending, membership)
        )
    if pending.all_seen:
        messages.success(request, "DNS shows every record. You can confirm the request.")
    else:
        messages.warning(request, "DNS does not show every record yet.")
    return redirect("verification_detail", pending_id=pending.pk)


@login_required
@require_POST
def verification_confirm(request, pending_id: int):
    pending, membership = get_pending(request, pending_id, Right.VIEW)
    access.require(membership, confirm_right(pending))
    try:
        op, _ = verification.confirm_at_price(pending, request.user, request=request)
    except QuoteChanged as exc:
        messages.error(request, f"{exc.message} Abandon this request, then create it again.")
        return redirect("verification_detail", pending_id=pending.pk)
    except OperationRefused as exc:
        messages.error(request, exc.message)
        return redirect("verification_detail", pending_id=pending.pk)
    messages.info(
        request, "Confirmed: the request is queued for Gandi; this page shows how it goes."
    )
    return redirect("operation_detail", operation_id=op.pk)


@login_required
@require_POST
def verification_abandon(request, pending_id: int):
    pending, _membership = get_pending(request, pending_id, Right.OPERATE)
    verification.abandon(pending, request.user, request=request)
    messages.info(request, "Request abandoned; nothing was sent to Gandi.")
    if pending.site_id:
        return redirect("site_detail", site_id=pending.site_id)
    return redirect("site_list")


@login_required
@require_POST
def verification_edit(request, pending_id: int):
    """Correct the vhosts of the waiting request (a typo) without starting over."""
    pending, membership = get_pending(request, pending_id, Right.VIEW)
    access.require(membership, confirm_right(pending))
    context = _context(pending, membership)
    typed = request.POST.get("vhosts", "")[:20_000]
    error = ""
    if not context["open"]:
        error = "This request is no longer waiting for DNS; it cannot be changed."
    else:
        try:
            vhosts = VhostListField().clean(typed)
            verification.edit_pending(pending, vhosts, request.user, request=request)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except verification.EditRefused as exc:
            error = " ".join(exc.messages)
        except (GandiError, SecretUnreadable) as exc:
            error = f"Gandi could not check the change: {exc.message}"
    if error:
        context.update(edit_error=error, vhosts_text=typed)
        return render(request, "sites/verification.html", context, status=200)
    messages.info(request, "Request corrected: the records below are what DNS must show now.")
    return redirect("verification_detail", pending_id=pending.pk)


@login_required
@require_POST
def verification_auto(request, pending_id: int):
    """ "Create as soon as every record is seen": the background re-check then sends it."""
    pending, membership = get_pending(request, pending_id, Right.VIEW)
    access.require(membership, confirm_right(pending))
    if pending.status == PendingRequest.Status.ABANDONED or pending.operation_id:
        return redirect("verification_detail", pending_id=pending.pk)
    verification.choose_auto_submit(pending, request.user, request=request)
    if pending.all_seen:
        op = verification.auto_submit(pending)
        if op is not None:
            messages.info(request, "Every record is seen: the request is queued for Gandi.")
            return redirect("operation_detail", operation_id=op.pk)
    messages.info(
        request,
        "The portal will send the request as soon as DNS shows every record; the page and "
        "the background checks look again by themselves.",
    )
    return redirect("verification_detail", pending_id=pending.pk)

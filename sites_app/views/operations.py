"""Journey 8: all operations, one operation's progress, cancel and retry.

Pages with operations in flight ask every 0.5 s whether their fragment changed (views.live:
204 while it did not); a fragment rendered for a finished operation carries no trigger, so
polling stops by itself. The list reads no whole-table count (views.paging).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from sites_app import access
from sites_app.access import Right
from sites_app.forms.sites import OperationFilterForm, RetryForm, new_request_key
from sites_app.models import GandiAccount, Operation, OperationKind, OperationStatus, Site
from sites_app.models.operations import IN_FLIGHT
from sites_app.services import operations as op_service
from sites_app.templatetags.sites_panel import operations_panel
from sites_app.views.live import POLL_INTERVAL, rows_version, unchanged, version_of
from sites_app.views.paging import light_page

KIND_RIGHTS = {
    OperationKind.CREATE: Right.SPEND,
    OperationKind.UPGRADE: Right.SPEND,
    OperationKind.UPDATE_VHOSTS: Right.OPERATE,
    OperationKind.DELETE: Right.DELETE,
}
PER_PAGE = 50
STEPS = ["BILL", "WAIT", "RUN", "DONE", "ERROR", "SUPPORT", "CANCEL"]


def get_operation(request, operation_id: int, right: Right = Right.VIEW):
    return access.get_for_user(
        request,
        Operation.objects.select_related("account__team", "site", "requested_by"),
        right,
        team_field="account__team",
        pk=operation_id,
    )


def _filtered(request, account_ids: list[int]):
    # Scoped by the team's account ids (read once per request): the newest-first index
    # then serves the page directly, without a join to accounts.
    ops = Operation.objects.filter(account_id__in=account_ids).select_related(
        "account", "site", "requested_by"
    )
    form = OperationFilterForm(request.GET or None)
    data: dict = {}
    if form.is_bound:
        form.is_valid()  # a bad value drops only its own filter
        data = form.cleaned_data
    if data.get("step"):
        ops = ops.filter(gandi_step=data["step"])
    if data.get("status"):
        ops = ops.filter(status=data["status"])
    if data.get("kind"):
        ops = ops.filter(kind=data["kind"])
    if data.get("site"):
        ops = ops.filter(site_id=data["site"])
    if data.get("account"):
        ops = ops.filter(account_id=data["account"])
    return form, data, ops.order_by("-created_at", "-id")


def _table_context(request, membership) -> tuple[dict, OperationFilterForm, dict]:
    """What the table needs, and nothing more: the polled fragment renders only this."""
    accounts = list(GandiAccount.objects.filter(team=membership.team).order_by("name"))
    form, data, ops = _filtered(request, [a.pk for a in accounts])
    page = light_page(ops, request.GET.get("page"), PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("v", None)
    context = {
        "page": page,
        "in_flight": any(op.status in IN_FLIGHT for op in page.object_list),
        "query_string": query.urlencode(),
        "accounts": accounts,
        "version": rows_version(page.object_list),
        "poll": POLL_INTERVAL,
    }
    return context, form, data


def _list_context(request, membership) -> dict:
    context, form, data = _table_context(request, membership)
    chosen_site = None
    if data.get("site"):
        # A site is chosen from its own page ("All its operations"), never from a menu of
        # every site the team ever had: that menu was one <option> per site.
        chosen_site = (
            Site.objects.filter(account__team=membership.team, pk=data["site"])
            .values("pk", "name")
            .first()
        ) or {"pk": data["site"], "name": f"site #{data['site']}"}
    without_site = request.GET.copy()
    without_site.pop("site", None)
    without_site.pop("page", None)
    return {
        **context,
        "form": form,
        "steps": STEPS,
        "kinds": OperationKind.choices,
        "statuses": OperationStatus.choices,
        "chosen_site": chosen_site,
        "without_site": without_site.urlencode(),
        "filter_errors": [
            f"{name.capitalize()}: {' '.join(errors)}" for name, errors in form.errors.items()
        ],
    }


@login_required
@require_safe
def dashboard_operations(request):
    membership = access.require_current(request, Right.VIEW)
    context = operations_panel(membership.team)
    if (same := unchanged(request, context["version"])) is not None:
        return same
    return render(request, "sites/partials/dashboard_operations.html", context)


@login_required
@require_safe
def operation_list(request):
    membership = access.require_current(request, Right.VIEW)
    return render(request, "operations/operation_list.html", _list_context(request, membership))


@login_required
@require_safe
def operation_table(request):
    membership = access.require_current(request, Right.VIEW)
    context, _form, _data = _table_context(request, membership)
    if (same := unchanged(request, context["version"])) is not None:
        return same
    return render(request, "operations/partials/operation_table.html", context)


def _detail_context(op: Operation, membership) -> dict:
    rights = access.rights_of(membership.role)
    return {
        "op": op,
        "can_cancel": op.can_cancel and Right.OPERATE in rights,
        "can_retry": op.can_retry and KIND_RIGHTS[op.kind] in rights,
        "can_sync": Right.OPERATE in rights,  # the safe next step of "needs attention"
        "retry_key": new_request_key(),
        # The elapsed time counts too, every 5 s, so "running for" keeps moving.
        "version": version_of(
            op.status, op.gandi_step, op.updated_at, int(op.elapsed().total_seconds()) // 5
        ),
        "poll": POLL_INTERVAL,
    }


@login_required
@require_safe
def operation_detail(request, operation_id: int):
    op, membership = get_operation(request, operation_id, Right.VIEW)
    return render(request, "operations/operation_detail.html", _detail_context(op, membership))


@login_required
@require_safe
def operation_progress(request, operation_id: int):
    op, membership = get_operation(request, operation_id, Right.VIEW)
    context = _detail_context(op, membership)
    if (same := unchanged(request, context["version"])) is not None:
        return same
    return render(request, "operations/partials/progress.html", context)


@login_required
@require_POST
def operation_cancel(request, operation_id: int):
    op, _membership = get_operation(request, operation_id, Right.OPERATE)
    try:
        message = op_service.request_cancel(op, request.user, request=request)
    except op_service.OperationRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, message)
    return redirect("operation_detail", operation_id=op.pk)


@login_required
@require_POST
def operation_retry(request, operation_id: int):
    op, membership = get_operation(request, operation_id, Right.VIEW)
    access.require(membership, KIND_RIGHTS[op.kind])
    form = RetryForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The form lost its request key; reload the page and retry.")
        return redirect("operation_detail", operation_id=op.pk)
    try:
        new = op_service.retry_operation(op, request.user, request=request)
    except op_service.OperationRefused as exc:
        if (earlier := op.retried_as) is not None:
            messages.info(request, exc.message)
            return redirect("operation_detail", operation_id=earlier.pk)
        messages.error(request, exc.message)
        return redirect("operation_detail", operation_id=op.pk)
    messages.success(request, "Sent again as a new operation.")
    return redirect("operation_detail", operation_id=new.pk)

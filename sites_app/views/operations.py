"""Journey 8: all operations, one operation's progress, cancel and retry.

Pages with operations in flight refresh their fragments every 2 s with htmx; a fragment
rendered for a finished operation carries no trigger, so polling stops by itself.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from sites_app import access
from sites_app.access import Right
from sites_app.forms.sites import OperationFilterForm, RetryForm, new_request_key
from sites_app.models import GandiAccount, Operation, OperationKind, OperationStatus
from sites_app.models.operations import IN_FLIGHT
from sites_app.services import operations as op_service
from sites_app.templatetags.sites_panel import operations_panel

KIND_RIGHTS = {
    OperationKind.CREATE: Right.SPEND,
    OperationKind.UPGRADE: Right.SPEND,
    OperationKind.UPDATE_VHOSTS: Right.OPERATE,
    OperationKind.DELETE: Right.DELETE,
}
STEPS = ["BILL", "WAIT", "RUN", "DONE", "ERROR", "SUPPORT", "CANCEL"]


def get_operation(request, operation_id: int, right: Right = Right.VIEW):
    return access.get_for_user(
        request,
        Operation.objects.select_related("account__team", "site", "requested_by"),
        right,
        team_field="account__team",
        pk=operation_id,
    )


def _filtered(request, membership):
    ops = Operation.objects.filter(account__team=membership.team).select_related(
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
    return form, ops.order_by("-created_at", "-id")


def _list_context(request, membership) -> dict:
    form, ops = _filtered(request, membership)
    page = Paginator(ops, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "form": form,
        "page": page,
        "in_flight": any(op.status in IN_FLIGHT for op in page.object_list),
        "query_string": query.urlencode(),
        "steps": STEPS,
        "kinds": OperationKind.choices,
        "statuses": OperationStatus.choices,
        "accounts": GandiAccount.objects.filter(team=membership.team),
        # From the team's operations, not the filtered page: choosing a site keeps the others
        # in the menu. Read as (id, name) pairs so a long history is not loaded row by row.
        "sites": sorted(
            dict(
                Operation.objects.filter(account__team=membership.team, site__isnull=False)
                .values_list("site_id", "site_name")
                .distinct()
            ).items(),
            key=lambda pair: pair[1].lower(),
        ),
        "filter_errors": [
            f"{name.capitalize()}: {' '.join(errors)}" for name, errors in form.errors.items()
        ],
    }


@login_required
@require_safe
def dashboard_operations(request):
    membership = access.require_current(request, Right.VIEW)
    return render(
        request,
        "sites/partials/dashboard_operations.html",
        operations_panel(membership.team),
    )


@login_required
@require_safe
def operation_list(request):
    membership = access.require_current(request, Right.VIEW)
    return render(request, "operations/operation_list.html", _list_context(request, membership))


@login_required
@require_safe
def operation_table(request):
    membership = access.require_current(request, Right.VIEW)
    return render(
        request, "operations/partials/operation_table.html", _list_context(request, membership)
    )


def _detail_context(op: Operation, membership) -> dict:
    rights = access.rights_of(membership.role)
    return {
        "op": op,
        "can_cancel": op.can_cancel and Right.OPERATE in rights,
        "can_retry": op.can_retry and KIND_RIGHTS[op.kind] in rights,
        "can_sync": Right.OPERATE in rights,  # the safe next step of "needs attention"
        "retry_key": new_request_key(),
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
    return render(request, "operations/partials/progress.html", _detail_context(op, membership))


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

"""The team's audit log: newest first, filterable, paginated, exportable as CSV."""

import csv
import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from sites_app import access
from sites_app.access import Right
from sites_app.forms.teams import AuditFilterForm
from sites_app.models import AuditEvent, Membership, Team

PAGE_SIZE = 50
CSV_COLUMNS = [
    "time",
    "person",
    "action",
    "object_type",
    "object_id",
    "object",
    "outcome",
    "ip_address",
    "detail",
]


def team_events(team: Team) -> QuerySet[AuditEvent]:
    """The team's own events, plus its current members' sign-in events since they joined.

    What a person did before joining is none of the team's business.
    """
    joined = Membership.objects.filter(team=team, created_at__lte=OuterRef("created_at"))
    return AuditEvent.objects.filter(
        Q(team=team)
        | Q(team=None, action__startswith="auth.")
        & (
            Exists(joined.filter(user=OuterRef("actor")))
            | Q(actor=None) & Exists(joined.filter(user__username=OuterRef("actor_label")))
        )
    )


def _filtered(request, team: Team) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    events = team_events(team)
    form = AuditFilterForm(
        request.GET or None,
        people=sorted({p for p in events.values_list("actor_label", flat=True) if p}),
        actions=sorted(set(events.values_list("action", flat=True))),
    )
    if form.is_bound:
        form.is_valid()  # invalid fields are shown with their error and not applied
        data = getattr(form, "cleaned_data", {})
        if data.get("person"):
            events = events.filter(actor_label=data["person"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("object"):
            text = data["object"].strip()
            events = events.filter(
                Q(object_label__icontains=text) | Q(object_id=text) | Q(object_type__iexact=text)
            )
    return form, events.order_by("-created_at", "-id")


@login_required
@require_safe
def audit_log(request):
    membership = access.require_current(request, Right.VIEW)
    form, events = _filtered(request, membership.team)
    page = Paginator(events.select_related("actor"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = QueryDict(mutable=True)
    for name in form.fields:  # the filters only, without empty ones or the page number
        if request.GET.get(name):
            query[name] = request.GET[name]
    return render(
        request,
        "audit/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode(), "team": membership.team},
    )


class _Echo:
    def write(self, value):
        return value


def _safe_cell(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: quote them."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
@require_safe
def audit_export(request):
    membership = access.require_current(request, Right.VIEW)
    _, events = _filtered(request, membership.team)
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        for event in events.iterator(chunk_size=500):
            yield writer.writerow(
                _safe_cell(v)
                for v in (
                    event.created_at.isoformat(),
                    event.actor_label,
                    event.action,
                    event.object_type,
                    event.object_id,
                    event.object_label,
                    event.outcome,
                    event.ip_address,
                    json.dumps(event.detail, sort_keys=True),
                )
            )

    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="audit-team{membership.team_id}-{stamp}.csv"'
    )
    return response

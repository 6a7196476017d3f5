"""The team's audit log: newest first, filterable, paginated, exportable as CSV."""

import csv
import json

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from sites_app import access
from sites_app.access import Right
from sites_app.forms.teams import AuditFilterForm
from sites_app.models import AuditEvent, Membership, Team
from sites_app.services import list_summaries
from sites_app.views.paging import capped_count, light_page, page_count

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


def _choices(team: Team, events: QuerySet[AuditEvent]) -> tuple[list[str], list[str], bool]:
    """The people and actions of the team's events for the filter menus, and whether they
    may lag behind: on a long log they are kept a few seconds, being a scan of every event."""
    large = capped_count(events, list_summaries.LARGE)[0] >= list_summaries.LARGE

    def compute():
        people = events.exclude(actor_label="").values_list("actor_label", flat=True)
        actions = events.values_list("action", flat=True)
        return (sorted(set(people.order_by())), sorted(set(actions.order_by())))

    if not large:
        return (*compute(), False)
    people, actions = list_summaries.cached_when_large(
        team, "audit-choices", compute, lambda _result: list_summaries.LARGE
    )
    return people, actions, True


def _filtered(request, team: Team) -> tuple[AuditFilterForm, QuerySet[AuditEvent], bool]:
    events = team_events(team)
    people, actions, may_lag = _choices(team, events)
    if may_lag:  # a person or action newer than the kept menus is still a valid filter
        for value, known in (
            (request.GET.get("person"), people),
            (request.GET.get("action"), actions),
        ):
            if value and value not in known and len(value) <= 150:
                known.append(value)
    form = AuditFilterForm(request.GET or None, people=people, actions=actions)
    filtered = False
    if form.is_bound:
        form.is_valid()  # invalid fields are shown with their error and not applied
        data = getattr(form, "cleaned_data", {})
        if data.get("person"):
            events = events.filter(actor_label=data["person"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("object"):
            text = data["object"].strip()
            # Object types are model names (lower case): an exact match uses its index.
            events = events.filter(
                Q(object_label__icontains=text) | Q(object_id=text) | Q(object_type=text.lower())
            )
        filtered = any(data.get(name) for name in ("person", "action", "object"))
    return form, events.order_by("-created_at", "-id"), filtered


@login_required
@require_safe
def audit_log(request):
    membership = access.require_current(request, Right.VIEW)
    form, events, _filtered_by = _filtered(request, membership.team)
    page = light_page(events.select_related("actor"), request.GET.get("page"), PAGE_SIZE)
    count, more = page_count(page, events)
    query = QueryDict(mutable=True)
    for name in form.fields:  # the filters only, without empty ones or the page number
        if request.GET.get(name):
            query[name] = request.GET[name]
    return render(
        request,
        "audit/audit_log.html",
        {
            "form": form,
            "page": page,
            "count": count,
            "count_more": more,
            "query": query.urlencode(),
            "team": membership.team,
        },
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
    _, events, _filtered_by = _filtered(request, membership.team)
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

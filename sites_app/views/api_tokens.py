"""Profile → API tokens: make one (shown once, after a fresh authentication), see when and
from where each was last used, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sites_app import access, audit
from sites_app.forms.api_tokens import ApiTokenForm
from sites_app.models import ApiToken
from sites_app.services.account_security import fresh_authentication_required


def _page(request, form, token: str = "", status: int = 200):
    tokens = ApiToken.objects.filter(created_by=request.user).select_related("team")
    return render(
        request,
        "api/token_list.html",
        {"form": form, "tokens": tokens, "new_token": token},
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def token_list(request):
    mine = list(access.memberships(request.user))
    current = access.current_membership(request)
    form = ApiTokenForm(memberships=mine, initial={"team": str(current.team_id) if current else ""})
    return _page(request, form)


@login_required
@fresh_authentication_required
@require_POST
def token_create(request):
    mine = list(access.memberships(request.user))
    form = ApiTokenForm(request.POST, memberships=mine)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    membership = next(m for m in mine if str(m.team_id) == data["team"])
    row, token = ApiToken.issue(
        team=membership.team,
        user=request.user,
        name=data["name"],
        access=data["access"],
        days=data["days"],
        networks=data["networks"],
    )
    audit.record(
        "api_token.create",
        team=membership.team,
        obj=row,
        request=request,
        access=row.access,
        days=data["days"],
        networks=", ".join(data["networks"]),
    )
    messages.success(request, f"Token “{row.name}” made. Copy it now: it is not shown again.")
    # The token is in this response only: not stored, not in the session, not in a redirect.
    return _page(request, ApiTokenForm(memberships=mine), token=token)


@login_required
@require_POST
def token_revoke(request, token_id: int):
    if not 0 < token_id < 2**63:
        raise Http404("No such token")
    row = ApiToken.objects.filter(pk=token_id, created_by=request.user).first()
    if row is None:
        raise Http404("No such token")
    if row.revoked_at is None:
        ApiToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
        audit.record("api_token.revoke", team=row.team, obj=row, request=request)
        messages.success(request, f"Token “{row.name}” revoked: it stops working now.")
    return redirect("api_token_list")

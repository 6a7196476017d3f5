"""Journey 5: add, remove and reorder a site's vhosts, as one site.update operation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sites_app.access import Right
from sites_app.crypto import SecretUnreadable
from sites_app.forms.sites import VhostQuickForm, VhostsForm, new_request_key
from sites_app.gandi.errors import GandiError
from sites_app.models import OperationKind, PendingRequest, Site
from sites_app.services.operations import OperationRefused, request_operation
from sites_app.services.verification import read_problems, start_pending
from sites_app.views.sites import existing_request, gandi_message, get_site


@login_required
@require_http_methods(["GET", "POST"])
def site_vhosts(request, site_id: int):
    site, _membership = get_site(request, site_id, Right.OPERATE)
    if site.is_removed:
        messages.error(request, "This site no longer exists at Gandi.")
        return redirect("site_detail", site_id=site.pk)
    form = VhostsForm(site=site)
    quick_error = ""
    if request.method == "POST":
        if "action" in request.POST:
            quick = VhostQuickForm(request.POST)
            new_list = None
            if quick.is_valid():
                try:
                    new_list = quick.new_list(site.vhost_names(), site.parking_vhost)
                except ValidationError as exc:
                    quick_error = " ".join(exc.messages)
            else:
                quick_error = " ".join(e for errors in quick.errors.values() for e in errors)
            if new_list is not None:
                key = quick.cleaned_data["request_key"]
                response, error = _submit(request, site, new_list, key)
                if response is not None:
                    notice = _notice(quick, waits=site.pending_requests.filter(idempotency_key=key))
                    return _inline(request, site, notice=notice) or response
                quick_error = error
            if request.htmx:
                typed = request.POST.get("vhost", "") if request.POST.get("action") == "add" else ""
                return _inline(request, site, error=quick_error, typed=typed)
        else:
            form = VhostsForm(request.POST, site=site)
            if form.is_valid():
                response, error = _submit(
                    request,
                    site,
                    form.cleaned_data["vhosts"],
                    form.cleaned_data["request_key"],
                    based_on=form.cleaned_data["based_on"],
                )
                if response is not None:
                    return response
                form.add_error("vhosts", error)
    vhosts = list(site.vhosts.all())
    return render(
        request,
        "sites/site_vhosts.html",
        {
            "site": site,
            "form": form,
            "vhosts": [(vhost, new_request_key(), new_request_key()) for vhost in vhosts],
            "add_key": new_request_key(),
            "quick_error": quick_error,
            # Only the Add box's own value comes back to it, never a removed or preferred one.
            "typed_vhost": request.POST.get("vhost", "")
            if quick_error and request.POST.get("action") == "add"
            else "",
        },
        status=200,
    )


def _submit(request, site: Site, new_list: list[str], key: str, based_on: list[str] | None = None):
    """Dry-run the new list; TXT proofs go to verification, else one update operation."""
    if (done := existing_request(site.account, key)) is not None:
        return done, ""
    try:
        client = site.account.client(for_request=True)
        problems = client.site_update_dry_run(site.gandi_id, vhosts=new_list)
    except (GandiError, SecretUnreadable) as exc:
        return None, f"Gandi could not check this change: {gandi_message(exc)}"
    outcome = read_problems(problems, {"vhosts"})
    if outcome.field_errors:
        return None, " ".join(e for errors in outcome.field_errors.values() for e in errors)
    current = site.vhost_names()
    params = {
        "vhosts": new_list,
        "added_vhosts": [v for v in new_list if v not in current],
        # What the list was when the change was made: a proof that waits for DNS must not
        # later undo a change made in between (see verification.confirm_pending).
        "based_on": based_on or current,
    }
    if outcome.txt_problems:
        pending = start_pending(
            account=site.account,
            kind=PendingRequest.Kind.UPDATE_VHOSTS,
            user=request.user,
            params=params,
            idempotency_key=key,
            txt_problems=outcome.txt_problems,
            site=site,
            request=request,
        )
        return redirect("verification_detail", pending_id=pending.pk), ""
    try:
        op, _ = request_operation(
            account=site.account,
            kind=OperationKind.UPDATE_VHOSTS,
            user=request.user,
            params=params,
            idempotency_key=key,
            site=site,
            request=request,
        )
    except OperationRefused as exc:
        return None, exc.message
    if not request.htmx:  # inline, the Domains section itself says it
        messages.info(request, f"The vhost change of {site.name} is queued for Gandi.")
    return redirect("operation_detail", operation_id=op.pk), ""


def _notice(quick: VhostQuickForm, waits) -> str:
    action, name = quick.cleaned_data["action"], quick.cleaned_data["vhost"]
    if waits.exists():
        return f"{name} needs a TXT record first: the steps are below, in this section."
    what = {"add": "Adding", "remove": "Removing", "prefer": "Making preferred:"}[action]
    return f"{what} {name}: queued for Gandi; the rows below follow it."


def _inline(request, site: Site, *, error: str = "", notice: str = "", typed: str = ""):
    """For htmx: the site page's live part, with the Domains section's answer in it."""
    if not request.htmx:
        return None
    from sites_app.views.sites import _site_page, _site_page_rest

    site.refresh_from_db()
    context = {**_site_page(site), **_site_page_rest(site)}
    context.update(domain_error=error, domain_notice=notice, typed_vhost=typed)
    return render(request, "sites/partials/site_live.html", context)

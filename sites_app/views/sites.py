"""Sites: the list with search and sync, the site page, create, edit link, upgrade, delete.

Views only read from Gandi (with `for_request=True` clients); every change becomes an
Operation row that a worker sends (sites_app.services.operations).
"""

from __future__ import annotations

import math
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sites_app import access, audit, tasks
from sites_app.access import Right
from sites_app.crypto import SecretUnreadable
from sites_app.forms.sites import (
    DeleteForm,
    SiteCreateForm,
    UpgradeForm,
    new_request_key,
)
from sites_app.gandi.errors import GandiError
from sites_app.models import (
    GandiAccount,
    Operation,
    OperationKind,
    PendingRequest,
    Site,
)
from sites_app.services import catalog, list_summaries, site_refresh, sync_status
from sites_app.services.account_security import fresh_authentication_required
from sites_app.services.operations import OperationRefused, request_operation
from sites_app.services.verification import read_problems, start_pending
from sites_app.views.live import POLL_INTERVAL, rows_version, unchanged, version_of

KNOWN_PACKAGES = ["personal", "professional", "business"]
PER_PAGE = 25


def get_site(request, site_id: int, right: Right = Right.VIEW):
    return access.get_for_user(
        request,
        Site.objects.select_related("account__team"),
        right,
        team_field="account__team",
        pk=site_id,
    )


def team_accounts(membership):
    return GandiAccount.objects.filter(team=membership.team).order_by("name")


def gandi_message(exc: GandiError | SecretUnreadable) -> str:
    return exc.message


def existing_request(account: GandiAccount, key: str) -> HttpResponseRedirect | None:
    """A re-sent form lands on what its first sending made."""
    op = Operation.objects.filter(account=account, idempotency_key=key).first()
    if op is not None:
        return redirect("operation_detail", operation_id=op.pk)
    pending = PendingRequest.objects.filter(account=account, idempotency_key=key).first()
    if pending is not None:
        return redirect("verification_detail", pending_id=pending.pk)
    return None


# --- journey 1: the list --------------------------------------------------------------


def state_label(state: str) -> str:
    return Site(state=state).state_label


@login_required
@require_POST
def site_sync(request):
    membership = access.require_current(request, Right.OPERATE)
    accounts = list(team_accounts(membership))
    if not accounts:
        messages.info(request, "Add a Gandi account first; there is nothing to sync.")
        return redirect("site_list")
    sync_status.mark_requested(accounts)
    for account in accounts:
        tasks.sync_account_sites.delay(account.pk)
    audit.record(
        "site.sync", team=membership.team, request=request, accounts=[a.name for a in accounts]
    )
    what = "your account" if len(accounts) == 1 else f"your {len(accounts)} accounts"
    messages.success(
        request, f"Reading the sites of {what} from Gandi; the list refreshes when it is done."
    )
    return redirect(_back_to_list(request))


def _back_to_list(request) -> str:
    """The list with the filters the person had, when the sync was pressed there."""
    # Re-encoded, so whatever was posted cannot become anything but a query string.
    query = QueryDict(request.POST.get("list_query", "")[:2000]).urlencode()
    return reverse("site_list") + (f"?{query}" if query else "")


# Finished syncs stay on the list this long, so the refreshed page can say how it went.
SYNC_RESULT_SECONDS = 120


def _sync_context(membership, accounts: list[GandiAccount] | None = None) -> dict:
    if accounts is None:
        accounts = list(team_accounts(membership))
    states = sync_status.states(accounts)
    recent = time.time() - SYNC_RESULT_SECONDS
    return {
        "sync_running": any(s.running for s in states),
        "sync_progress": [s for s in states if s.running],
        "sync_results": [s for s in states if not s.running and s.finished_at > recent],
    }


@login_required
@require_safe
def site_sync_status(request):
    """Polled by the list while a sync runs; when it has finished the page reloads itself."""
    membership = access.require_current(request, Right.VIEW)
    context = _sync_context(membership)
    response = render(request, "sites/partials/sync_status.html", context)
    if request.htmx and not context["sync_running"]:
        list_summaries.forget(membership.team)  # the reloaded list counts afresh
        response["HX-Refresh"] = "true"
    return response


# --- journey 2: the site page ---------------------------------------------------------


def _site_page(site: Site) -> dict:
    """What the live part of the site page shows, and the version it polls with."""
    operations = list(site.operations.select_related("requested_by").order_by("-created_at")[:50])
    return {
        "site": site,
        "operations": operations,
        "in_flight": any(op.is_in_flight for op in operations),
        "version": version_of(
            site.state,
            site.package,
            site.paid_until,
            site.last_synced_at,
            site.removed_at,
            rows_version(operations),
        ),
        "poll": POLL_INTERVAL,
    }


def _site_page_rest(site: Site) -> dict:
    return {
        "vhosts": site.vhosts.all(),
        "pending": site.pending_requests.filter(status__in=["waiting", "ready"]),
    }


@login_required
@require_safe
def site_detail(request, site_id: int):
    site, _membership = get_site(request, site_id, Right.VIEW)
    # A GET never writes nor calls Gandi itself: a worker re-reads the site (by id).
    site_refresh.queue_refresh(site)
    return render(
        request,
        "sites/site_detail.html",
        {**_site_page(site), **_site_page_rest(site)},
    )


@login_required
@require_safe
def site_live(request, site_id: int):
    """The site page's live part, polled while an operation on the site is in flight.

    Reads only the database (never Gandi); answers 204 while nothing changed.
    """
    site, _membership = get_site(request, site_id, Right.VIEW)
    context = _site_page(site)
    if (same := unchanged(request, context["version"])) is not None:
        return same
    return render(request, "sites/partials/site_live.html", {**context, **_site_page_rest(site)})


@login_required
@require_safe
def site_operations_fragment(request, site_id: int):
    site, _membership = get_site(request, site_id, Right.VIEW)
    operations = site.operations.select_related("requested_by").order_by("-created_at")[:50]
    return render(
        request,
        "sites/partials/site_operations.html",
        {
            "site": site,
            "operations": operations,
            "in_flight": any(op.is_in_flight for op in operations),
        },
    )


# --- journey 3: create ----------------------------------------------------------------


def _packages(account: GandiAccount | None) -> tuple[list[str], str]:
    if account is None:
        return KNOWN_PACKAGES, ""
    try:
        offers = catalog.packages(account, "basekit_whitelabel")
    except (GandiError, SecretUnreadable) as exc:
        return KNOWN_PACKAGES, (
            f"The offers could not be read from Gandi ({gandi_message(exc)}); the usual ones "
            "are shown and Gandi checks your choice."
        )
    return [offer.name for offer in offers] or KNOWN_PACKAGES, ""


@login_required
@require_http_methods(["GET", "POST"])
def site_create(request):
    membership = access.require_current(request, Right.SPEND)
    accounts = list(team_accounts(membership))
    if not accounts:
        return render(request, "sites/site_create.html", {"no_accounts": True})
    chosen = accounts[0]
    if request.method == "POST":
        chosen = next((a for a in accounts if str(a.pk) == request.POST.get("account")), chosen)
    packages, packages_problem = _packages(chosen)
    form = SiteCreateForm(request.POST or None, accounts=accounts, packages=packages)
    if request.method == "POST" and form.is_valid():
        response = _create_or_verify(request, form, chosen)
        if response is not None:
            return response
    return render(
        request,
        "sites/site_create.html",
        {"form": form, "packages_problem": packages_problem},
    )


def _create_or_verify(request, form: SiteCreateForm, account: GandiAccount):
    data = form.cleaned_data
    key = data["request_key"]
    if (done := existing_request(account, key)) is not None:
        return done
    params = {
        "name": data["name"],
        "provider": data["provider"],
        "package": data["package"],
        "duration": data["duration"],
        "vhosts": data["vhosts"],
    }
    try:
        client = account.client(for_request=True)
        problems = client.site_create_dry_run(**params)
    except (GandiError, SecretUnreadable) as exc:
        form.add_error(None, f"Gandi could not check this request: {gandi_message(exc)}")
        return None
    outcome = read_problems(problems, set(form.fields))
    if outcome.field_errors:
        for field, errors in outcome.field_errors.items():
            for error in errors:
                form.add_error(None if field == "__all__" else field, error)
        return None
    if outcome.txt_problems:
        pending = start_pending(
            account=account,
            kind=PendingRequest.Kind.CREATE,
            user=request.user,
            params=params,
            idempotency_key=key,
            txt_problems=outcome.txt_problems,
            request=request,
        )
        return redirect("verification_detail", pending_id=pending.pk)
    try:
        op, _ = request_operation(
            account=account,
            kind=OperationKind.CREATE,
            user=request.user,
            params=params,
            idempotency_key=key,
            request=request,
        )
    except OperationRefused as exc:
        form.add_error(exc.field, exc.message)
        return None
    messages.success(request, f"Creating “{params['name']}”: the request is on its way to Gandi.")
    return redirect("operation_detail", operation_id=op.pk)


# --- journey 4: the editor link ---------------------------------------------------------


@login_required
@require_POST
def site_edit_link(request, site_id: int):
    site, _membership = get_site(request, site_id, Right.OPERATE)
    try:
        url = site.account.client(for_request=True).site_edit_url(site.gandi_id)
    except (GandiError, SecretUnreadable) as exc:
        messages.error(request, f"Gandi did not give an editor link: {gandi_message(exc)}")
        return redirect("site_detail", site_id=site.pk)
    # The link is single-use and grants editing: it is neither stored nor logged.
    audit.record("site.edit_link", team=site.account.team, obj=site, request=request)
    return HttpResponseRedirect(url)


# --- journey 6: upgrade -----------------------------------------------------------------


def _offers(site: Site) -> tuple[list[dict], str]:
    """Packages above the current one, each with its upgrade price."""
    try:
        client = site.account.client(for_request=True)
        packages = client.package_list(site.provider or "basekit_whitelabel", above=site.package)
        offers = []
        for package in packages:
            prices = client.catalog_prices(
                provider=package.provider or site.provider, package=package.name, action="update"
            )
            price = prices[0] if prices else None
            offers.append({"name": package.name, "price": price})
    except (GandiError, SecretUnreadable) as exc:
        return [], gandi_message(exc)
    return offers, ""


def _quote_changed(offer: dict, data: dict) -> str:
    """Why the accepted quote no longer holds, or "" when it is Gandi's current price."""
    price = offer["price"]
    if price is None:
        return ""
    currency = data.get("quoted_currency") or ""
    try:
        accepted: float | None = float(data.get("quoted_price") or "")
    except ValueError:
        accepted = None
    if accepted is not None and not math.isfinite(accepted):
        accepted = None
    if accepted is None or currency != price.currency or abs(accepted - price.price) > 0.005:
        seen = f"{accepted:.2f} {currency}" if accepted is not None else "no price"
        return (
            f"The price changed: upgrading to {offer['name']} now costs "
            f"{price.price:.2f} {price.currency} (you accepted {seen}). "
            "Check the new price below and accept it again."
        )
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def site_upgrade(request, site_id: int):
    site, _membership = get_site(request, site_id, Right.SPEND)
    if site.is_removed:
        messages.error(request, "This site no longer exists at Gandi.")
        return redirect("site_detail", site_id=site.pk)
    offers, problem = _offers(site)
    form = UpgradeForm(request.POST or None, initial={"request_key": new_request_key()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if (done := existing_request(site.account, data["request_key"])) is not None:
            return done
        offer = next((o for o in offers if o["name"] == data["package"]), None)
        if problem:
            form.add_error(None, f"Gandi could not confirm the offer: {problem}")
        elif offer is None:
            form.add_error(
                "package",
                f"“{data['package']}” is not an upgrade of {site.package}: a package can only "
                "be upgraded, never downgraded.",
            )
        elif changed := _quote_changed(offer, data):
            form.add_error(None, changed)
        else:
            price = offer["price"]
            params = {"package": offer["name"]}
            if price is not None:
                params.update(price=price.price, currency=price.currency)
            try:
                op, _ = request_operation(
                    account=site.account,
                    kind=OperationKind.UPGRADE,
                    user=request.user,
                    params=params,
                    idempotency_key=data["request_key"],
                    site=site,
                    request=request,
                )
            except OperationRefused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Upgrading {site.name} to {offer['name']}.")
                return redirect("operation_detail", operation_id=op.pk)
    return render(
        request,
        "sites/site_upgrade.html",
        {
            "site": site,
            "offers": offers,
            "problem": problem,
            "form": form,
            "request_key": form["request_key"].value() or new_request_key(),
        },
    )


# --- journey 7: delete ------------------------------------------------------------------


@login_required
@fresh_authentication_required
@require_http_methods(["GET", "POST"])
def site_delete(request, site_id: int):
    site, _membership = get_site(request, site_id, Right.DELETE)
    if site.is_removed:
        messages.info(request, "This site is already deleted.")
        return redirect("site_detail", site_id=site.pk)
    form = DeleteForm(request.POST or None, site=site)
    if request.method == "POST" and form.is_valid():
        key = form.cleaned_data["request_key"]
        if (done := existing_request(site.account, key)) is not None:
            return done
        try:
            op, _ = request_operation(
                account=site.account,
                kind=OperationKind.DELETE,
                user=request.user,
                params={"name": site.name},
                idempotency_key=key,
                site=site,
                request=request,
            )
        except OperationRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Deleting {site.name}.")
            return redirect("operation_detail", operation_id=op.pk)
    return render(request, "sites/site_delete.html", {"site": site, "form": form})

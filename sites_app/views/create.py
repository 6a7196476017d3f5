"""Journey 3, create: the form, Gandi's dry run, the price to confirm, then the queued request.

Step one ("Check the request") runs the dry run and shows the quote: nothing is billed.
Step two ("Confirm and create") posts the checked request (signed, so what was checked is
what is sent) with the price the person accepted; a price that changed in between is
refused and shown again. The worker compares once more before sending (services/quotes).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sites_app import access
from sites_app.access import Right
from sites_app.crypto import SecretUnreadable
from sites_app.forms.sites import DURATIONS, PROVIDERS, CreateConfirmForm, SiteCreateForm
from sites_app.gandi.client import Problem
from sites_app.gandi.errors import GandiError
from sites_app.models import GandiAccount, OperationKind, PendingRequest
from sites_app.services import catalog, quotes
from sites_app.services.operations import OperationRefused, request_operation, vhosts_in_flight
from sites_app.services.verification import read_problems, start_pending
from sites_app.views.sites import existing_request, gandi_message, team_accounts

KNOWN_PACKAGES = ["personal", "professional", "business"]
CHECKED_SALT = "sites.create.checked"
CHECKED_MAX_AGE = 3600  # a check older than an hour is made again
TXT_REASON = "You must put a TXT value in your zone"


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
    if request.method == "POST" and "checked" in request.POST:
        return _confirm(request, accounts)
    chosen = accounts[0]
    if request.method == "POST":
        chosen = next((a for a in accounts if str(a.pk) == request.POST.get("account")), chosen)
    packages, packages_problem = _packages(chosen)
    form = SiteCreateForm(request.POST or None, accounts=accounts, packages=packages)
    # "Change something" on the confirmation page comes back here with what was typed.
    if request.method == "POST" and "edit" not in request.POST and form.is_valid():
        response = _check(request, form, chosen)
        if response is not None:
            return response
    return render(
        request,
        "sites/site_create.html",
        {"form": form, "packages_problem": packages_problem},
    )


def _check(request, form: SiteCreateForm, account: GandiAccount):
    """The dry run, then the confirmation page with Gandi's price; None re-shows the form."""
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
    if (taken := vhosts_in_flight(account, params["vhosts"])) is not None:
        form.add_error("vhosts", taken)
        return None
    try:
        problems = account.client(for_request=True).site_create_dry_run(**params)
    except (GandiError, SecretUnreadable) as exc:
        form.add_error(None, f"Gandi could not check this request: {gandi_message(exc)}")
        return None
    outcome = read_problems(problems, set(form.fields))
    if outcome.field_errors:
        for field, errors in outcome.field_errors.items():
            for error in errors:
                form.add_error(None if field == "__all__" else field, error)
        return None
    checked = {
        "account": account.pk,
        "params": params,
        "txt": [[p.txt_record.name, p.txt_record.value] for p in outcome.txt_problems],
    }
    confirm = CreateConfirmForm(
        initial={
            "checked": signing.dumps(checked, salt=CHECKED_SALT, compress=True),
            "request_key": key,
        }
    )
    return _confirmation(request, account, checked, confirm, status=200)


def _quote(account: GandiAccount, params: dict) -> tuple[quotes.Quote | None, str]:
    try:
        quote = quotes.create_quote(
            account,
            provider=params["provider"],
            package=params["package"],
            duration=params["duration"],
        )
    except (GandiError, SecretUnreadable) as exc:
        return None, f"Gandi did not give the price: {gandi_message(exc)} Nothing was sent."
    if quote is None:
        return None, (
            f"Gandi lists no price for the {params['package']} package, so the portal does "
            "not create it. Nothing was sent."
        )
    return quote, ""


def _confirmation(request, account, checked: dict, confirm: CreateConfirmForm, *, status=200):
    params = checked["params"]
    quote, problem = _quote(account, params)
    if quote is not None:
        confirm.initial.update(quoted_price=f"{quote.total:.2f}", quoted_currency=quote.currency)
        if confirm.is_bound:  # shown again: the fresh quote replaces what was posted
            data = confirm.data.copy()
            data.update(quoted_price=f"{quote.total:.2f}", quoted_currency=quote.currency)
            data.pop("accept_quote", None)
            confirm.data = data
    return render(
        request,
        "sites/site_create_confirm.html",
        {
            "account": account,
            "params": params,
            "provider_label": dict(PROVIDERS).get(params["provider"], params["provider"]),
            "duration_label": dict(DURATIONS).get(params["duration"], params["duration"]),
            "txt": checked["txt"],
            "quote": quote,
            "quote_problem": problem,
            "credit": quotes.known_credit(account),
            "short": quotes.short_of_credit(account, quote),
            "confirm": confirm,
        },
        status=status,
    )


def _confirm(request, accounts: list[GandiAccount]):
    confirm = CreateConfirmForm(request.POST)
    if not confirm.is_valid():
        messages.error(request, "The confirmation was incomplete: check the request again.")
        return redirect("site_create")
    data = confirm.cleaned_data
    try:
        checked = signing.loads(data["checked"], salt=CHECKED_SALT, max_age=CHECKED_MAX_AGE)
    except signing.BadSignature:
        messages.error(request, "That check is too old or was altered: check the request again.")
        return redirect("site_create")
    account = next((a for a in accounts if a.pk == checked.get("account")), None)
    if account is None:
        messages.error(request, "That Gandi account is not one of your team's any more.")
        return redirect("site_create")
    key = data["request_key"]
    if (done := existing_request(account, key)) is not None:
        return done
    params = checked["params"]
    quote, problem = _quote(account, params)
    accepted = quotes.accepted_price(data["quoted_price"])
    if problem:
        confirm.add_error(None, problem)
    elif quotes.differs(quote, accepted, data["quoted_currency"]):
        seen = f"{accepted:.2f} {data['quoted_currency']}" if accepted is not None else "none"
        confirm.add_error(
            None,
            f"The price changed: this site now costs {quote.words()} (you saw {seen}). "
            "Nothing was sent. Check the new price below and accept it again.",
        )
    elif short := quotes.short_of_credit(account, quote):
        confirm.add_error(None, short)
    elif not data["accept_quote"]:
        confirm.add_error("accept_quote", "Tick the box to accept the price.")
    if confirm.errors:
        return _confirmation(request, account, checked, confirm, status=200)
    return _send(request, account, key, params, quote, checked["txt"], confirm)


def _send(request, account, key, params, quote, txt, confirm):
    params = {**params, "price": quote.total, "currency": quote.currency}
    if txt:
        pending = start_pending(
            account=account,
            kind=PendingRequest.Kind.CREATE,
            user=request.user,
            params=params,
            idempotency_key=key,
            txt_problems=[
                Problem(field="vhosts", field_type=None, attr=[name, value], reason=TXT_REASON)
                for name, value in txt
            ],
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
        confirm.add_error(None, exc.message)
        return _confirmation(request, account, {"params": params, "txt": txt}, confirm, status=200)
    messages.info(
        request,
        f"“{params['name']}” is queued for Gandi at {quote.words()}; this page shows how it goes.",
    )
    return redirect("operation_detail", operation_id=op.pk)

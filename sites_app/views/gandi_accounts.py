"""A team's Gandi accounts: add (the key is checked first), edit, replace the key, test, remove."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sites_app import access
from sites_app.access import Right
from sites_app.crypto import SecretUnreadable
from sites_app.forms.accounts import GandiAccountForm
from sites_app.gandi.errors import GandiError, InvalidKeyError, UnreachableError
from sites_app.models import Endpoint, GandiAccount
from sites_app.services import gandi_accounts as account_service
from sites_app.services.account_security import fresh_authentication_required


def _account(request, account_id: int, right: Right) -> tuple[GandiAccount, object]:
    return access.get_for_user(
        request, GandiAccount.objects.select_related("team"), right, pk=account_id
    )


def _show_check_error(form: GandiAccountForm, exc: GandiError) -> None:
    """Put Gandi's answer next to the field it is about."""
    if isinstance(exc, InvalidKeyError):
        form.add_error("api_key", exc.message)
    elif isinstance(exc, UnreachableError):
        custom = form.cleaned_data.get("endpoint") == Endpoint.CUSTOM
        form.add_error("custom_url" if custom else "endpoint", exc.message)
    else:
        form.add_error(None, exc.message)


@login_required
@require_safe
def account_list(request):
    membership = access.require_current(request, Right.VIEW)
    accounts = GandiAccount.objects.filter(team=membership.team).order_by("name")
    return render(
        request, "accounts/account_list.html", {"accounts": accounts, "team": membership.team}
    )


@sensitive_post_parameters("api_key")
@login_required
@fresh_authentication_required(replay=False)  # a parked POST would keep the key in the session
@require_http_methods(["GET", "POST"])
@sensitive_variables("data")  # the form's cleaned data holds the key
def account_create(request):
    membership = access.require_current(request, Right.MANAGE_ACCOUNTS)
    form = GandiAccountForm(request.POST or None, team=membership.team)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account, result = account_service.add_account(
                membership.team,
                name=data["name"],
                endpoint=data["endpoint"],
                custom_url=data["custom_url"],
                api_key=data["api_key"],
                actor=request.user,
                request=request,
            )
        except account_service.KeyInUse as exc:
            form.add_error("api_key", str(exc))
        except GandiError as exc:
            _show_check_error(form, exc)
        else:
            messages.success(
                request,
                f"Gandi account {account.name} added: the key works and sees "
                f"{result.site_count} site(s).",
            )
            return redirect("gandi_accounts")
    return render(request, "accounts/account_form.html", {"form": form, "account": None})


@sensitive_post_parameters("api_key")
@login_required
@fresh_authentication_required(replay=False)
@require_http_methods(["GET", "POST"])
@sensitive_variables("data")  # the form's cleaned data holds the key
def account_edit(request, account_id: int):
    account, _ = _account(request, account_id, Right.MANAGE_ACCOUNTS)
    form = GandiAccountForm(request.POST or None, team=account.team, account=account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = account_service.update_account(
                account,
                name=data["name"],
                endpoint=data["endpoint"],
                custom_url=data["custom_url"],
                new_api_key=data["api_key"],
                actor=request.user,
                request=request,
            )
        except (account_service.KeyNeededForNewEndpoint, account_service.KeyInUse) as exc:
            account.refresh_from_db()
            form.add_error("api_key", str(exc))
        except GandiError as exc:
            account.refresh_from_db()
            _show_check_error(form, exc)
        else:
            checked = " The key was checked with Gandi." if result else ""
            messages.success(request, f"Gandi account {account.name} saved.{checked}")
            return redirect("gandi_accounts")
    return render(request, "accounts/account_form.html", {"form": form, "account": account})


@login_required
@require_POST
def account_test(request, account_id: int):
    account, _ = _account(request, account_id, Right.OPERATE)
    try:
        result = account_service.check_connection(account, actor=request.user, request=request)
    except GandiError as exc:
        messages.error(request, f"{account.name}: {exc.message}")
    except SecretUnreadable:
        messages.error(request, f"{account.name}: {account_service.UNREADABLE_KEY}")
    else:
        messages.success(
            request,
            f"{account.name}: the connection works (Gandi API {result.api_version or '?'}, "
            f"{result.site_count} site(s)).",
        )
    return redirect("gandi_accounts")


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request, account_id: int):
    account, _ = _account(request, account_id, Right.MANAGE_ACCOUNTS)
    site_count = account.sites.filter(removed_at=None).count()
    if request.method == "POST":
        if request.POST.get("confirm_name", "").strip() != account.name:
            messages.error(request, "Type the account's name exactly to confirm.")
        else:
            name = account.name
            try:
                account_service.remove_account(account, actor=request.user, request=request)
            except account_service.AccountBusyError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request,
                    f"Gandi account {name} removed from the portal (nothing changed at Gandi).",
                )
                return redirect("gandi_accounts")
    return render(
        request,
        "accounts/account_delete.html",
        {
            "account": account,
            "site_count": site_count,
            "in_flight": account_service.in_flight_operations(account),
            "typed": request.POST.get("confirm_name", ""),
        },
    )

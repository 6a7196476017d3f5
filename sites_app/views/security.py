"""Signing in (django-allauth's view, our template) and the team's "require MFA" switch."""

from allauth.account import views as allauth_views
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from sites_app import access, audit
from sites_app.access import Right
from sites_app.services.account_security import fresh_authentication_required, has_mfa


class LoginView(allauth_views.LoginView):
    template_name = "registration/login.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        data = kwargs.get("data")
        if data is not None and "login" not in data and "username" in data:
            # Scripts and older bookmarks post Django's field name; allauth calls it "login".
            data = data.copy()
            data["login"] = data["username"]
            kwargs["data"] = data
        return kwargs


@login_required
@require_POST
@fresh_authentication_required
def team_require_mfa(request):
    membership = access.require_current(request, Right.OWN)
    team = membership.team
    require = request.POST.get("require_mfa") == "on"
    if require and not has_mfa(request.user):
        # Otherwise the owner would be the first one sent away from the team's pages.
        messages.error(
            request,
            "Add an authenticator app or a security key to your own account first "
            "(Profile → Two-factor authentication).",
        )
        return redirect("team_detail")
    team.require_mfa = require
    team.save(update_fields=["require_mfa"])
    audit.record("team.require_mfa", team=team, obj=team, request=request, on=team.require_mfa)
    if team.require_mfa:
        messages.success(request, "Members now need two-factor authentication to see the team.")
    else:
        messages.success(request, "Two-factor authentication is no longer required.")
    return redirect("team_detail")

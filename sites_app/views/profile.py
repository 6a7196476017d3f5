"""The signed-in person's own page: name, email, teams, password.

A new email address takes effect only once the person opens the link sent to it (allauth's
email confirmation, ACCOUNT_CHANGE_EMAIL): invitations are bound to addresses, so nobody can
claim an invited address they cannot read."""

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from sites_app import access, audit
from sites_app.forms.teams import ProfileForm
from sites_app.services import rate_limits

PASSWORD_CHECKS_REFUSED = (
    "Too many password checks on this page: try again in an hour, or sign out and in again."
)


@sensitive_post_parameters("current_password")
@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    data = request.POST or None
    refused = False
    if data is not None and data.get("current_password"):
        refused = rate_limits.password_check_refused(request)
        if refused:
            data = data.copy()
            data["current_password"] = ""  # not checked at all while refused
    form = ProfileForm(data, instance=request.user)
    if refused:
        form.is_valid()
        form.add_error("current_password", PASSWORD_CHECKS_REFUSED)
    elif request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["email"] if form.email_changed else None
        user = form.save(commit=False)
        user.email = form.old_email  # the new address waits for its confirmation link
        user.save(update_fields=["first_name", "last_name"])
        changed = sorted(set(form.changed_data) & {"first_name", "last_name"})
        if changed:
            audit.record("profile.update", request=request, fields=changed)
        if new_email:
            EmailAddress.objects.add_new_email(request, user, new_email)
            audit.record("profile.email_change_requested", request=request, new_email=new_email)
            messages.info(
                request,
                f"We sent a link to {new_email}. Your address changes when you open it.",
            )
        else:
            messages.success(request, "Your profile is saved.")
        return redirect("profile")
    return render(
        request,
        "sites_app/profile.html",
        {
            "form": form,
            "memberships": access.memberships(request.user),
            "pending_email": EmailAddress.objects.get_new(request.user),
        },
    )

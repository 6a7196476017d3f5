"""The signed-in person's own page: name, email, teams, password."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from sites_app import access, audit
from sites_app.forms.teams import ProfileForm


@sensitive_post_parameters("current_password")
@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        changed = sorted(set(form.changed_data) & set(form.Meta.fields))
        audit.record("profile.update", request=request, fields=changed)
        if form.email_changed:
            audit.record(
                "profile.email_change",
                request=request,
                old_email=form.old_email,
                new_email=form.cleaned_data["email"],
            )
        messages.success(request, "Your profile is saved.")
        return redirect("profile")
    return render(
        request,
        "sites_app/profile.html",
        {"form": form, "memberships": access.memberships(request.user)},
    )

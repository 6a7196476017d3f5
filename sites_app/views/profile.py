"""The signed-in person's own page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from sites_app import access


@login_required
def profile(request):
    return render(
        request, "sites_app/profile.html", {"memberships": access.memberships(request.user)}
    )

"""The dashboard and the team switcher."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sites_app import access, health


@login_required
def dashboard(request):
    membership = access.current_membership(request)
    context = {
        "membership": membership,
        "heartbeat": health.latest_heartbeat(),
        "worker_alive": health.worker_is_alive(),
    }
    return render(request, "sites_app/dashboard.html", context)


@login_required
@require_POST
def switch_team(request):
    try:
        team_id = int(request.POST.get("team", ""))
    except ValueError:
        return redirect("dashboard")
    access.switch_team(request, team_id)
    return redirect("dashboard")

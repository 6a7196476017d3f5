"""The bell (a person's notices, marking them read) and notification choices per team."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from sites_app import access
from sites_app.forms.notifications import NotificationPreferenceForm
from sites_app.services import notifications as notice_service

PER_PAGE = 50


@login_required
@require_safe
def notification_list(request):
    notices = list(notice_service.visible_to(request.user)[: PER_PAGE + 1])
    return render(
        request,
        "notifications/notification_list.html",
        {"notices": notices[:PER_PAGE], "more": len(notices) > PER_PAGE},
    )


@login_required
@require_POST
def notification_read(request, notification_id: int):
    """Mark one notice read and open what it is about."""
    notice = notice_service.visible_to(request.user).filter(pk=notification_id).first()
    if notice is None:
        raise Http404("No such notification")
    notice_service.mark_read(request.user, [notice.pk])
    link = notice.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts=None):
        return redirect(link)
    return redirect("notification_list")


@login_required
@require_POST
def notification_read_all(request):
    count = notice_service.mark_read(request.user)
    messages.success(request, f"{count} notification(s) marked read.")
    return redirect("notification_list")


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    membership = access.require_current(request)
    team = membership.team
    pref = notice_service.preference_for(request.user, team)
    form = NotificationPreferenceForm(
        request.POST or None,
        initial={"email_events": pref.email_events, "portal_events": pref.portal_events},
    )
    if request.method == "POST" and form.is_valid():
        notice_service.save_preference(
            request.user,
            team,
            email_events=form.cleaned_data["email_events"],
            portal_events=form.cleaned_data["portal_events"],
        )
        messages.success(request, f"Your notification choices for {team.name} are saved.")
        return redirect("notification_preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "team": team,
            "has_email": bool(request.user.email),
            "rows": zip(form["email_events"], form["portal_events"], strict=True),
        },
    )

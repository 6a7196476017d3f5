"""Inviting people by email, revoking invitations, and accepting one from its link."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.db import transaction
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from sites_app import access
from sites_app.access import Right
from sites_app.forms.teams import InvitationForm, SignupForm
from sites_app.models import Invitation
from sites_app.services import rate_limits
from sites_app.services import teams as team_service

# Backends that deliver no mail: the inviter sees the link so the demo works without SMTP.
UNDELIVERED_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}
SESSION_LINK_KEY = "invitation_link_shown_once"


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request):
    membership = access.require_current(request, Right.MANAGE_MEMBERS)
    team = membership.team
    grantable = team_service.roles_grantable_by(membership)
    form = InvitationForm(request.POST or None, grantable_roles=grantable)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, token = team_service.invite(
                team,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                actor_membership=membership,
                request=request,
            )
        except team_service.TeamRuleError as exc:
            form.add_error("email", str(exc))
        else:
            link = request.build_absolute_uri(reverse("invitation_accept", args=[token]))
            _send_invitation_email(invitation, link)
            messages.success(request, f"Invitation sent to {invitation.email}.")
            if settings.EMAIL_BACKEND in UNDELIVERED_BACKENDS:
                # Shown once, on the next page only: the link is stored nowhere else.
                request.session[SESSION_LINK_KEY] = {"email": invitation.email, "link": link}
            return redirect("invitations")
    context = {
        "team": team,
        "form": form,
        "pending": team_service.pending_invitations(team),
        "past": Invitation.objects.filter(team=team)
        .exclude(pk__in=team_service.pending_invitations(team).values("pk"))
        .select_related("invited_by", "accepted_by")[:20],
        "shown_link": request.session.pop(SESSION_LINK_KEY, None),
        "invitation_days": settings.INVITATION_DAYS,
    }
    return render(request, "teams/invitations.html", context)


def _send_invitation_email(invitation: Invitation, link: str) -> None:
    context = {"invitation": invitation, "link": link, "days": settings.INVITATION_DAYS}
    send_mail(
        subject=f"You are invited to join {invitation.team.name} on the Gandi Sites Portal",
        message=render_to_string("teams/invitation_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )


@login_required
@require_POST
def invitation_revoke(request, invitation_id: int):
    invitation, membership = access.get_for_user(
        request, Invitation.objects.select_related("team"), Right.MANAGE_MEMBERS, pk=invitation_id
    )
    if team_service.revoke_invitation(invitation, actor_membership=membership, request=request):
        messages.success(request, f"The invitation of {invitation.email} is revoked.")
    else:
        messages.info(request, f"The invitation of {invitation.email} was no longer pending.")
    return redirect("invitations")


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """Public on purpose: the link is the credential, and it is bound to one email address."""
    invitation = team_service.find_invitation(token)
    if invitation is None:
        return render(
            request,
            "teams/invitation_unusable.html",
            {"reason": "This invitation link is not valid. Check that you copied all of it."},
            status=404,
        )
    reason = team_service.unusable_reason(invitation)
    if reason:
        return render(request, "teams/invitation_unusable.html", {"reason": reason}, status=410)
    context = {"invitation": invitation}
    if request.user.is_authenticated:
        return _accept_signed_in(request, invitation, context)
    return _accept_with_new_account(request, invitation, context)


def _accept_signed_in(request, invitation: Invitation, context: dict):
    if not team_service.email_matches(invitation, request.user):
        context["wrong_address"] = True
        return render(request, "teams/invitation_accept.html", context, status=403)
    if request.method == "POST":
        try:
            membership = team_service.accept_invitation(
                invitation, user=request.user, request=request
            )
        except team_service.TeamRuleError as exc:
            return render(
                request, "teams/invitation_unusable.html", {"reason": str(exc)}, status=410
            )
        access.switch_team(request, membership.team_id)
        messages.success(
            request,
            f"Welcome to {membership.team.name}: your role is {membership.get_role_display()}.",
        )
        return redirect("dashboard")
    return render(request, "teams/invitation_accept.html", context)


def _accept_with_new_account(request, invitation: Invitation, context: dict):
    form = SignupForm(request.POST or None, email=invitation.email)
    email_taken = get_user_model().objects.filter(email__iexact=invitation.email).exists()
    if request.method == "POST" and rate_limits.signup_refused(request):
        form.is_valid()
        form.add_error(None, "Too many sign-ups from your address: try again in an hour.")
    elif request.method == "POST" and form.is_valid():
        if email_taken:
            form.add_error(
                None,
                f"An account with {invitation.email} already exists: sign in to accept instead.",
            )
        else:
            with transaction.atomic():
                user = form.save(commit=False)
                user.email = invitation.email
                user.save()
                try:
                    membership = team_service.accept_invitation(
                        invitation, user=user, request=request
                    )
                except team_service.TeamRuleError as exc:
                    transaction.set_rollback(True)
                    return render(
                        request, "teams/invitation_unusable.html", {"reason": str(exc)}, status=410
                    )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            access.switch_team(request, membership.team_id)
            messages.success(
                request,
                f"Your account is ready. Welcome to {membership.team.name}: your role is "
                f"{membership.get_role_display()}.",
            )
            return redirect("dashboard")
    context.update(form=form, email_taken=email_taken)
    return render(request, "teams/invitation_accept.html", context)

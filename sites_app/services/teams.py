"""Teams, members and invitations: every change goes through here, with its audit event."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from sites_app import audit
from sites_app.access import ROLE_RIGHTS, Right
from sites_app.models import Invitation, Membership, Role, Team
from sites_app.models.teams import hash_token


class TeamRuleError(Exception):
    """A change the team rules refuse; the message is shown to the user as is."""


def create_team(*, name: str, creator, request: HttpRequest | None = None) -> Team:
    """A new team; its creator becomes the owner."""
    with transaction.atomic():
        team = Team.objects.create(name=name)
        Membership.objects.create(team=team, user=creator, role=Role.OWNER)
        audit.record("team.create", actor=creator, team=team, obj=team, request=request)
    return team


def rename_team(team: Team, *, name: str, actor, request: HttpRequest | None = None) -> None:
    old_name = team.name
    team.name = name
    team.save(update_fields=["name"])
    audit.record(
        "team.rename", actor=actor, team=team, obj=team, request=request, old_name=old_name
    )


def roles_grantable_by(membership: Membership) -> list[str]:
    """Roles this member may give: owners any, admins all but owner."""
    if Right.OWN in ROLE_RIGHTS.get(membership.role, frozenset()):
        return list(Role.values)
    return [role for role in Role.values if role != Role.OWNER]


def _check_owner_rights(actor_membership: Membership, *roles: str) -> None:
    if Role.OWNER in roles and Right.OWN not in ROLE_RIGHTS.get(actor_membership.role, ()):
        raise TeamRuleError("Only an owner can grant or remove the owner role.")


def _other_owners(team: Team, membership: Membership) -> int:
    """Owners other than `membership`, counted under a lock on the team row.

    Two owners demoting each other (or both leaving) at once must not leave none. Django drops
    FOR UPDATE from an aggregate (`select_for_update().count()` locks nothing), so every
    change that can remove an owner first locks the Team row: the second waits for the first
    to commit, then counts what the first left. Call inside a transaction."""
    Team.objects.select_for_update().only("pk").get(pk=team.pk)
    return Membership.objects.filter(team=team, role=Role.OWNER).exclude(pk=membership.pk).count()


def change_role(
    target: Membership,
    *,
    role: str,
    actor_membership: Membership,
    request: HttpRequest | None = None,
) -> None:
    if role not in Role.values:
        raise TeamRuleError("Choose one of the listed roles.")
    _check_owner_rights(actor_membership, target.role, role)
    with transaction.atomic():
        # The team row first, then the member's: every path takes the locks in this order.
        Team.objects.select_for_update().only("pk").get(pk=target.team_id)
        target = Membership.objects.select_for_update().select_related("team").get(pk=target.pk)
        # The actor may have been demoted a moment ago by someone else: judge their role now.
        actor_membership = Membership.objects.filter(pk=actor_membership.pk).first()
        if actor_membership is None:
            raise TeamRuleError("You are no longer a member of this team.")
        _check_owner_rights(actor_membership, target.role, role)
        old_role = target.role
        if old_role == role:
            return
        if old_role == Role.OWNER and _other_owners(target.team, target) == 0:
            raise TeamRuleError("A team keeps at least one owner: make someone else owner first.")
        target.role = role
        target.save(update_fields=["role"])
        audit.record(
            "member.role_change",
            actor=actor_membership.user,
            team=target.team,
            obj=target.user,
            request=request,
            old_role=old_role,
            new_role=role,
        )


def remove_member(
    target: Membership, *, actor_membership: Membership, request: HttpRequest | None = None
) -> None:
    if target.role == Role.OWNER and Right.OWN not in ROLE_RIGHTS.get(actor_membership.role, ()):
        raise TeamRuleError("Only an owner can remove an owner from the team.")
    _remove(target, actor=actor_membership.user, action="member.remove", request=request)


def leave_team(membership: Membership, *, request: HttpRequest | None = None) -> None:
    _remove(membership, actor=membership.user, action="member.leave", request=request)


def _remove(target: Membership, *, actor, action: str, request: HttpRequest | None) -> None:
    with transaction.atomic():
        Team.objects.select_for_update().only("pk").get(pk=target.team_id)
        # Re-read under the lock: the role may have changed since the page was shown.
        target = Membership.objects.select_related("team", "user").filter(pk=target.pk).first()
        if target is None:
            return  # already gone (removed twice at once): nothing left to do
        if target.role == Role.OWNER and _other_owners(target.team, target) == 0:
            raise TeamRuleError(
                "A team keeps at least one owner: make someone else owner before the last "
                "owner leaves."
            )
        audit.record(
            action,
            actor=actor,
            team=target.team,
            obj=target.user,
            request=request,
            role=target.role,
        )
        target.delete()


# --- Invitations ---


def pending_invitations(team: Team):
    return Invitation.objects.filter(
        team=team, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def invite(
    team: Team,
    *,
    email: str,
    role: str,
    actor_membership: Membership,
    request: HttpRequest | None = None,
) -> tuple[Invitation, str]:
    """Create an invitation; returns it with the link token (stored only as a hash)."""
    _check_owner_rights(actor_membership, role)
    if Membership.objects.filter(team=team, user__email__iexact=email).exists():
        raise TeamRuleError(f"{email} is already a member of {team}.")
    if pending_invitations(team).filter(email__iexact=email).exists():
        raise TeamRuleError(
            f"{email} already has a pending invitation. Revoke it to send a new one."
        )
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        team=team,
        email=email,
        role=role,
        token_hash=token_hash,
        invited_by=actor_membership.user,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    audit.record(
        "invitation.send",
        actor=actor_membership.user,
        team=team,
        obj=invitation,
        request=request,
        email=email,
        role=role,
    )
    return invitation, token


def revoke_invitation(
    invitation: Invitation, *, actor_membership: Membership, request: HttpRequest | None = None
) -> bool:
    """Revoke a pending invitation; False when it was already used, revoked or expired."""
    revoked = Invitation.objects.filter(
        pk=invitation.pk, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).update(revoked_at=timezone.now())
    if revoked:
        audit.record(
            "invitation.revoke",
            actor=actor_membership.user,
            team=invitation.team,
            obj=invitation,
            request=request,
            email=invitation.email,
        )
    return bool(revoked)


def find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("team", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )


def email_matches(invitation: Invitation, user) -> bool:
    return bool(user.email) and user.email.strip().lower() == invitation.email.strip().lower()


def accept_invitation(
    invitation: Invitation, *, user, request: HttpRequest | None = None
) -> Membership:
    """Use the invitation once: the user joins the team with the invited role."""
    if not email_matches(invitation, user):
        raise TeamRuleError(
            f"This invitation is for {invitation.email}; you are signed in with "
            f"{user.email or 'no email address'}."
        )
    with transaction.atomic():
        # One conditional UPDATE decides who uses the link: a second click or a second
        # person finds nothing left to update.
        claimed = Invitation.objects.filter(
            pk=invitation.pk, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
        ).update(accepted_at=timezone.now(), accepted_by=user)
        if not claimed:
            raise TeamRuleError(_unusable_reason(Invitation.objects.get(pk=invitation.pk)))
        membership, created = Membership.objects.get_or_create(
            team=invitation.team, user=user, defaults={"role": invitation.role}
        )
        audit.record(
            "invitation.accept",
            actor=user,
            team=invitation.team,
            obj=invitation,
            request=request,
            email=invitation.email,
            role=membership.role,
            already_member=not created,
        )
    return membership


def _unusable_reason(invitation: Invitation) -> str:
    return {
        "accepted": "This invitation has already been used.",
        "revoked": "This invitation was revoked by the team.",
        "expired": "This invitation has expired. Ask the team for a new one.",
    }.get(invitation.status, "This invitation cannot be used.")


def unusable_reason(invitation: Invitation) -> str | None:
    return None if invitation.is_pending else _unusable_reason(invitation)


def create_user_for_invitation(invitation: Invitation, *, username: str, password: str):
    return get_user_model().objects.create_user(
        username=username, email=invitation.email, password=password
    )

"""Declarations for teams, members, invitations, Gandi accounts and the audit log."""

from sites_app.access import Right
from tests.matrix import PUBLIC, SIGNED_IN, Route, World, declare


def _viewer_membership(world: World) -> dict:
    return {"membership_id": world.make_member("viewer").pk}


def _invitation(world: World) -> dict:
    from sites_app.services import teams

    owner = world.team.memberships.get(user=world.users["owner"])
    invitation, _ = teams.invite(
        world.team, email="newcomer@example.com", role="viewer", actor_membership=owner
    )
    return {"invitation_id": invitation.pk}


def _invitation_token(world: World) -> dict:
    from sites_app.services import teams

    owner = world.team.memberships.get(user=world.users["owner"])
    _, token = teams.invite(
        world.team, email="newcomer@example.com", role="viewer", actor_membership=owner
    )
    return {"token": token}


def _account(world: World) -> dict:
    return {"account_id": world.gandi_account.pk}


declare(
    Route("team_detail", get=Right.VIEW),
    Route("team_rename", post=Right.MANAGE_MEMBERS, post_data=lambda w: {"name": "Renamed"}),
    # Leaving is a person's own business; the last owner is refused with a message.
    Route("team_leave", post=SIGNED_IN),
    Route("team_create", get=SIGNED_IN, post=SIGNED_IN),
    Route(
        "member_role",
        post=Right.MANAGE_MEMBERS,
        kwargs=_viewer_membership,
        post_data=lambda w: {"role": "operator"},
    ),
    Route("member_remove", post=Right.MANAGE_MEMBERS, kwargs=_viewer_membership),
    Route("invitations", get=Right.MANAGE_MEMBERS, post=Right.MANAGE_MEMBERS),
    Route("invitation_revoke", post=Right.MANAGE_MEMBERS, kwargs=_invitation),
    Route(
        "invitation_accept",
        get=PUBLIC,
        post=PUBLIC,
        kwargs=_invitation_token,
        outsider_404=False,
        own_tests="bound to the invited address: tests/teams/test_invitations.py",
    ),
    Route("gandi_accounts", get=Right.VIEW),
    Route("gandi_account_create", get=Right.MANAGE_ACCOUNTS, post=Right.MANAGE_ACCOUNTS),
    Route(
        "gandi_account_edit",
        get=Right.MANAGE_ACCOUNTS,
        post=Right.MANAGE_ACCOUNTS,
        kwargs=_account,
    ),
    # A read-only call to Gandi: operators may check the connection too.
    Route("gandi_account_test", post=Right.OPERATE, kwargs=_account),
    Route(
        "gandi_account_delete",
        get=Right.MANAGE_ACCOUNTS,
        post=Right.MANAGE_ACCOUNTS,
        kwargs=_account,
    ),
    Route("audit_log", get=Right.VIEW),
    Route("audit_export", get=Right.VIEW),
)

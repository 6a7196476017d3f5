"""The one rule for what a user may see and do.

Every view's first line goes through here: objects are fetched with `get_for_user`
(another team's object is a 404), and changes are allowed by `require` (a missing
right is a 403). Lists are scoped with `for_user`.

Roles and rights:

| right           | owner | admin | billing | operator | viewer | what it allows
|-----------------|-------|-------|---------|----------|--------|-------------------------------
| view            |  yes  |  yes  |   yes   |   yes    |  yes   | see sites, operations, audit
| operate         |  yes  |  yes  |   yes   |   yes    |        | vhosts, edit link, sync, cancel
| spend           |  yes  |  yes  |   yes   |          |        | create and upgrade (billed)
| delete          |  yes  |  yes  |   yes   |          |        | delete sites
| manage_members  |  yes  |  yes  |         |          |        | invite, change roles, remove
| manage_accounts |  yes  |  yes  |         |          |        | Gandi accounts and keys
| own             |  yes  |       |         |          |        | grant or remove the owner role

Deleting a site forfeits the time already paid for and cannot be undone, so it sits with
the people trusted with money (billing and up), not with operators.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from .models import Membership, Role

M = TypeVar("M", bound=Model)

SESSION_TEAM_KEY = "current_team_id"


class Right(StrEnum):
    VIEW = "view"
    OPERATE = "operate"
    SPEND = "spend"
    DELETE = "delete"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_ACCOUNTS = "manage_accounts"
    OWN = "own"


ROLE_RIGHTS: dict[str, frozenset[Right]] = {
    Role.OWNER: frozenset(Right),
    Role.ADMIN: frozenset(Right) - {Right.OWN},
    Role.BILLING: frozenset({Right.VIEW, Right.OPERATE, Right.SPEND, Right.DELETE}),
    Role.OPERATOR: frozenset({Right.VIEW, Right.OPERATE}),
    Role.VIEWER: frozenset({Right.VIEW}),
}


def rights_of(role: str) -> frozenset[Right]:
    return ROLE_RIGHTS.get(role, frozenset())


def memberships(user) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("team")


def current_membership(request: HttpRequest) -> Membership | None:
    """The team the user is working in: the one chosen in the session, else their first."""
    if hasattr(request, "_current_membership"):
        return request._current_membership
    mine = memberships(request.user)
    chosen = request.session.get(SESSION_TEAM_KEY) if hasattr(request, "session") else None
    membership = (mine.filter(team_id=chosen).first() if chosen else None) or mine.first()
    request._current_membership = membership
    return membership


def switch_team(request: HttpRequest, team_id: int) -> Membership:
    membership = memberships(request.user).filter(team_id=team_id).first()
    if membership is None:
        raise Http404("No such team")
    request.session[SESSION_TEAM_KEY] = membership.team_id
    request._current_membership = membership
    return membership


def membership_in(user, team_id: int) -> Membership | None:
    return memberships(user).filter(team_id=team_id).first()


# What each right lets people do, in the words of the 403 page.
RIGHT_WORDS: dict[Right, str] = {
    Right.VIEW: "see this team's sites and operations",
    Right.OPERATE: "make free site changes (vhosts, editor link, sync)",
    Right.SPEND: "spend money (create or upgrade sites)",
    Right.DELETE: "delete sites",
    Right.MANAGE_MEMBERS: "manage the team's members and invitations",
    Right.MANAGE_ACCOUNTS: "manage the team's Gandi accounts",
    Right.OWN: "do what only owners may do",
}


def require(membership: Membership | None, right: Right) -> Membership:
    """Raise 403 unless the membership carries the right."""
    if membership is None:
        raise PermissionDenied(f"Only members of the team may {RIGHT_WORDS[right]}.")
    if right not in rights_of(membership.role):
        raise PermissionDenied(
            f"As {membership.get_role_display()} in {membership.team.name}, you cannot "
            f"{RIGHT_WORDS[right]}."
        )
    return membership


def require_current(request: HttpRequest, right: Right = Right.VIEW) -> Membership:
    """The current team's membership, with the right; 404 when the user has no team at all."""
    membership = current_membership(request)
    if membership is None:
        raise Http404("You are not a member of any team yet")
    return require(membership, right)


def for_user(queryset: QuerySet[M], user, team_field: str = "team") -> QuerySet[M]:
    """Only the rows that belong to one of the user's teams."""
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(**{f"{team_field}__memberships__user": user}).distinct()


def get_for_user(
    request: HttpRequest,
    queryset: QuerySet[M],
    right: Right = Right.VIEW,
    team_field: str = "team",
    **lookup,
) -> tuple[M, Membership]:
    """Fetch one object of the user's teams: 404 outside them, 403 without the right."""
    obj = for_user(queryset, request.user, team_field).filter(**lookup).first()
    if obj is None:
        raise Http404("Not found")
    team_id = _team_id_of(obj, team_field)
    membership = membership_in(request.user, team_id)
    require(membership, right)
    # The page of an object shows and allows what its own team lets the person do, whichever
    # team is selected in the navigation bar (see page_membership).
    request._object_membership = membership
    return obj, membership


def page_membership(request: HttpRequest) -> Membership | None:
    """The membership a page's buttons follow: that of the team owning the page's object
    (set by get_for_user), else the current team's."""
    return getattr(request, "_object_membership", None) or current_membership(request)


def _team_id_of(obj: Model, team_field: str) -> int:
    value = obj
    for part in team_field.split("__"):
        value = getattr(value, part)
    return value.pk

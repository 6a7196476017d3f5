from django.conf import settings
from django.utils.functional import SimpleLazyObject

from . import access


def portal(request):
    """The current team and what the user may do in it, for navigation and buttons."""
    # For the password meter of every page that sets a password (signed in or not).
    shared = {"password_min_length": settings.PASSWORD_MIN_LENGTH}
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return shared
    membership = access.current_membership(request)
    # Buttons follow the team that owns the object on the page, not the selected team.
    acting = access.page_membership(request)
    rights = access.rights_of(acting.role) if acting else frozenset()
    elsewhere = acting and membership and acting.team_id != membership.team_id
    return {
        **shared,
        "current_membership": membership,
        "current_team": membership.team if membership else None,
        "my_memberships": access.memberships(request.user),
        "can": {right.value: right in rights for right in access.Right},
        "unread_notifications": SimpleLazyObject(lambda: _unread(request.user)),
        # Set when the page's object belongs to another of the person's teams: a banner says so.
        "viewing_as": acting if elsewhere else None,
    }


def _unread(user) -> int:
    from .services.notifications import unread_count

    return unread_count(user)

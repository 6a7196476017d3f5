"""The permission-matrix registry: what every URL of the portal needs, declared once.

`tests/test_permission_matrix.py` walks EVERY URL pattern of the portal and checks it against
these declarations: anonymous → sign-in redirect, a member of another team → 404 for this
team's objects, each role → allowed exactly where `sites_app.access.ROLE_RIGHTS` says, and a
403 otherwise (so a viewer gets a 403 on every change). A URL that is not declared here makes
the test FAIL and tells you to declare it.

How to declare a URL (one `Route` per URL name, in any module of this package; every module
of `tests/matrix/` is imported automatically, e.g. `tests/matrix/teams.py`,
`tests/matrix/sites.py`):

    from sites_app.access import Right
    from tests.matrix import SIGNED_IN, Route, declare

    declare(
        Route("site_list", get=Right.VIEW),                        # GET only; POST → 405
        Route("site_delete", get=Right.DELETE, post=Right.DELETE,
              kwargs=lambda w: {"site_id": make_site(w).pk}),      # an object of w.team
        Route("switch_team", post=SIGNED_IN),                      # any signed-in user
    )

- `get` / `post`: what a user needs for that method: a `Right`, `SIGNED_IN` (any signed-in
  user, no team right), `PUBLIC` (anyone, even signed out), or `None` (the view refuses
  the method: 405, or a redirect for a signed-out user).
- `kwargs(world)`: builds the URL's keyword arguments from a fresh `World` (below). URLs with
  kwargs point at an object of `world.team`, so an outsider must get a 404; set
  `outsider_404=False` when the URL is not about a team object (an invitation token).
- `post_data(world)`: the form sent with POST (default: empty, which must not give a 500
  either: the view answers with form errors).
- `own_tests`: for a URL whose answer depends on WHO asks in a way the table cannot say
  (an invitation link bound to one email address): the reason and the test file that covers
  it. The matrix still checks the anonymous answer and that nothing gives a 500.

"Allowed" means: no 403, no 404, no 405, no 5xx and no redirect to the sign-in page (a form
re-shown with errors, a redirect after success, or a page all count).

`World` is built fresh for every check: `team` with one member per role (`world.users[role]`),
`other_team` with its owner `outsider`, and helpers your factories can use
(`world.gandi_account`, `world.make_member(role)`). Factories may create anything else they need
from `world.team`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sites_app.access import Right

PUBLIC = "public"
SIGNED_IN = "signed_in"

Need = Right | str | None

# URLs the matrix does not check, each with the reason. Names are matched exactly;
# prefixes (admin/) by the start of the route.
SKIPPED_NAMES: dict[str, str] = {
    "login": "django-allauth's sign-in view: public by design, throttled by django-axes",
    # allauth's names for the same paths as ours (first match wins): the same views.
    "account_login": "the same path as login (sites_app.views.security.LoginView)",
    "account_logout": "the same path as logout (django.contrib.auth's view)",
    "account_change_password": "the same path as allauth_password_change_redirect",
    "account_reset_password": "the same path as allauth_password_reset_redirect",
    "logout": "django.contrib.auth's own view: signs out whoever asks",
    "password_change": "django.contrib.auth's own view: login_required, tested in tests/teams",
    "password_change_done": "django.contrib.auth's own view: login_required",
    "password_reset": "django.contrib.auth's own view: public by design",
    "password_reset_done": "django.contrib.auth's own view: public by design",
    "password_reset_confirm": "django.contrib.auth's own view: public, token-checked",
    "password_reset_complete": "django.contrib.auth's own view: public by design",
}
SKIPPED_PREFIXES: dict[str, str] = {
    "admin/": "the Django admin has its own staff-only permission system",
    "static/": "static files",
    "api/v1/": "the REST API: tokens, not sessions; every route, role and token kind is walked "
    "by tests/api/test_api_matrix.py",
}


@dataclass(frozen=True)
class Route:
    name: str
    get: Need = None
    post: Need = None
    kwargs: Callable[[World], dict[str, Any]] | None = None
    post_data: Callable[[World], dict[str, Any]] | None = None
    outsider_404: bool = True
    own_tests: str = ""

    def need(self, method: str) -> Need:
        return self.get if method == "GET" else self.post

    @property
    def needs_team_object(self) -> bool:
        return self.kwargs is not None and self.outsider_404


REGISTRY: dict[str, Route] = {}


def declare(*routes: Route) -> None:
    for route in routes:
        if route.name in REGISTRY:
            raise ValueError(f"URL name {route.name!r} is declared twice in tests/matrix/")
        REGISTRY[route.name] = route


def load_all() -> dict[str, Route]:
    """Import every declaration module of this package and return the registry."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return REGISTRY


@dataclass
class World:
    """A fresh team with one member per role, and an outsider in another team."""

    team: Any
    users: dict[str, Any]
    other_team: Any
    outsider: Any
    _made: int = field(default=0)

    @classmethod
    def build(cls) -> World:
        from sites_app.models import Membership, Role, Team

        team = Team.objects.create(name="Matrix team")
        users = {}
        for role in Role.values:
            users[role] = _user(f"matrix-{role}")
            Membership.objects.create(team=team, user=users[role], role=role)
        other_team = Team.objects.create(name="Outsiders")
        outsider = _user("matrix-outsider")
        Membership.objects.create(team=other_team, user=outsider, role=Role.OWNER)
        return cls(team=team, users=users, other_team=other_team, outsider=outsider)

    def make_member(self, role: str = "viewer"):
        """Another member of the team, e.g. the target of a role change or removal."""
        from sites_app.models import Membership

        self._made += 1
        user = _user(f"matrix-extra{self._made}")
        return Membership.objects.create(team=self.team, user=user, role=role)

    @cached_property
    def gandi_account(self):
        """A Gandi account of the team whose endpoint refuses connections (nothing listens)."""
        from sites_app.models import Endpoint, GandiAccount

        account = GandiAccount(
            team=self.team,
            name="Matrix account",
            endpoint=Endpoint.CUSTOM,
            custom_url="http://127.0.0.1:9/xmlrpc/",
        )
        account.set_api_key("matrixkey0123456789abcd")
        account.save()
        return account


def _user(username: str):
    from django.contrib.auth import get_user_model

    # No password: hashing would make hundreds of checks slow, and the test client's
    # force_login does not need one.
    user = get_user_model()(username=username, email=f"{username}@example.com")
    user.set_unusable_password()
    user.save()
    return user

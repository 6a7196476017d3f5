"""Every API route, for every role and token kind, against the one access rule (access.py).

Token kinds: read-write (the role's rights), read-only (VIEW only, whatever the role),
expired and revoked (401), and a token of another team (404 for this team's objects, and
none of them in its lists). A route added to sites_app/api/urls.py and not declared here
fails the first test.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from sites_app.access import ROLE_RIGHTS, Right
from sites_app.models import ApiToken, Role
from tests.api.conftest import api_client
from tests.matrix import SIGNED_IN, World
from tests.matrix.sites import _operation_kwargs, _pending_kwargs, _site

SITE = lambda w: {"pk": _site(w).pk}  # noqa: E731
OP = lambda w: {"pk": _operation_kwargs(w)["operation_id"]}  # noqa: E731
ACCOUNT = lambda w: {"pk": w.gandi_account.pk}  # noqa: E731
PROOF = lambda w: {"pk": _pending_kwargs(w)["pending_id"]}  # noqa: E731

# (url name, method, right needed, kwargs builder)
ROUTES = [
    ("site-list", "GET", Right.VIEW, None),
    ("site-list", "POST", Right.SPEND, None),
    ("site-detail", "GET", Right.VIEW, SITE),
    ("site-detail", "DELETE", Right.DELETE, SITE),
    ("site-vhosts", "PUT", Right.OPERATE, SITE),
    ("site-upgrade", "GET", Right.VIEW, SITE),
    ("site-upgrade", "POST", Right.SPEND, SITE),
    ("operation-list", "GET", Right.VIEW, None),
    ("operation-detail", "GET", Right.VIEW, OP),
    ("operation-cancel", "POST", Right.OPERATE, OP),
    ("operation-retry", "POST", Right.SPEND, OP),  # a create: retrying it spends
    ("verification-list", "GET", Right.VIEW, None),
    ("verification-detail", "GET", Right.VIEW, PROOF),
    ("verification-detail", "DELETE", Right.OPERATE, PROOF),  # as the page's "abandon"
    ("verification-check", "POST", Right.SPEND, PROOF),  # a create's: submitting it spends
    ("account-list", "GET", Right.VIEW, None),
    ("account-test", "POST", Right.OPERATE, ACCOUNT),
    ("member-list", "GET", Right.VIEW, None),
    ("audit-list", "GET", Right.VIEW, None),
    ("schema", "GET", SIGNED_IN, None),
]
NOT_WALKED = {
    "not-found": "the catch-all problem 404 (tests/api/test_resources.py)",
    "docs": "a page for signed-in people (sign-in redirect otherwise): tests/api/test_schema.py",
    "redoc": "a page for signed-in people (sign-in redirect otherwise): tests/api/test_schema.py",
}
REFUSED = {401, 403, 404, 405}


def api_names() -> set[str]:
    resolver = next(
        p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "api"
    )
    return {p.name for p in resolver.url_patterns}


def test_every_api_route_is_walked():
    walked = {name for name, *_ in ROUTES} | set(NOT_WALKED)
    assert api_names() == walked


@pytest.fixture
def world(db) -> World:
    return World.build()


def call(world, name, method, kwargs, *, token: str):
    url = reverse(f"api:{name}", kwargs=kwargs(world) if kwargs else None)
    client = api_client(token)
    return (
        getattr(client, method.lower())(url, {}, format="json")
        if method != "GET"
        else (client.get(url))
    )


def token_for(world, role: str, access: str, **changes) -> str:
    row, token = ApiToken.issue(
        team=world.team, user=world.users[role], name=f"{role}-{access}", access=access,
        days=1, networks=[],
    )  # fmt: skip
    if changes:
        ApiToken.objects.filter(pk=row.pk).update(**changes)
    return token


def allowed(need, role: str, access: str) -> bool:
    if need == SIGNED_IN:
        return True
    if access == ApiToken.Access.READ and need != Right.VIEW:
        return False
    return need in ROLE_RIGHTS[role]


CASES = [
    pytest.param(name, method, need, kwargs, role, access, id=f"{name}-{method}-{role}-{access}")
    for name, method, need, kwargs in ROUTES
    for role in Role.values
    for access in ApiToken.Access.values
]


@pytest.mark.parametrize(("name", "method", "need", "kwargs", "role", "access"), CASES)
def test_each_role_and_token_kind(world, name, method, need, kwargs, role, access):
    response = call(world, name, method, kwargs, token=token_for(world, role, access))
    assert response.status_code != 500, response.content[:300]
    if allowed(need, role, access):
        assert response.status_code not in REFUSED, (
            f"a {role} {access} token should pass {method} {name}: {response.status_code}"
        )
    else:
        assert response.status_code == 403, (
            f"{role} {access} {method} {name}: {response.status_code}"
        )
        assert response["Content-Type"] == "application/problem+json"


SPOILT = {
    "expired": {"expires_at": timezone.now() - timedelta(days=1)},
    "revoked": {"revoked_at": timezone.now()},
}


@pytest.mark.parametrize("kind", list(SPOILT))
@pytest.mark.parametrize(
    ("name", "method", "need", "kwargs"),
    [pytest.param(*route, id=f"{route[0]}-{route[1]}") for route in ROUTES],
)
def test_expired_and_revoked_tokens_get_401(world, name, method, need, kwargs, kind):
    token = token_for(world, Role.OWNER, ApiToken.Access.WRITE, **SPOILT[kind])
    response = call(world, name, method, kwargs, token=token)
    assert response.status_code == 401, response.status_code
    if need != SIGNED_IN:  # the schema and docs pages answer in their own formats
        assert kind in response.json()["detail"]


@pytest.mark.parametrize(
    ("name", "method", "need", "kwargs"),
    [pytest.param(*route, id=f"{route[0]}-{route[1]}") for route in ROUTES],
)
def test_another_teams_token_sees_nothing_of_this_team(world, name, method, need, kwargs):
    _row, token = ApiToken.issue(
        team=world.other_team, user=world.outsider, name="other", access="write", days=1,
        networks=[],
    )  # fmt: skip
    site = _site(world)
    response = call(world, name, method, kwargs, token=token)
    assert response.status_code != 500
    if kwargs is not None:
        assert response.status_code == 404, response.status_code
    elif method == "GET":
        assert response.status_code == 200
        assert site.name not in response.content.decode()
        assert "Matrix account" not in response.content.decode()
        assert "matrix-viewer" not in response.content.decode()

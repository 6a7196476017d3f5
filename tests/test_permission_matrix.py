"""Every URL of the portal against the one access rule (declarations: tests/matrix/).

Walks `get_resolver().url_patterns` recursively; a URL nobody declared fails the first test
with instructions. Then, for each declared URL and method: signed out → sign-in page,
outsider → 404 for this team's objects, each role → allowed exactly where ROLE_RIGHTS says,
403 otherwise.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sites_app.access import ROLE_RIGHTS, Right
from sites_app.models import Role
from tests.matrix import (
    PUBLIC,
    SIGNED_IN,
    SKIPPED_NAMES,
    SKIPPED_PREFIXES,
    Route,
    World,
    load_all,
)

REGISTRY = load_all()
METHODS = ("GET", "POST")


def walk(patterns, prefix: str = "", namespace: str = ""):
    """Yield (route, qualified name or None) for every URL pattern, however deeply included."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner_ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner_ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield prefix + str(pattern.pattern), name


def skip_reason(route: str, name: str | None) -> str | None:
    for skipped_prefix, reason in SKIPPED_PREFIXES.items():
        if route.startswith(skipped_prefix):
            return reason
    return SKIPPED_NAMES.get(name or "")


URLS = [(route, name) for route, name in walk(get_resolver().url_patterns)]
CHECKED_NAMES = sorted({name for route, name in URLS if name and not skip_reason(route, name)})
DECLARED = [REGISTRY[name] for name in CHECKED_NAMES if name in REGISTRY]


def cases(*, with_roles: bool = False, outsider: bool = False) -> list:
    params = []
    for route in DECLARED:
        for method in METHODS:
            need = route.need(method)
            if outsider and (
                not route.needs_team_object or need in (None, PUBLIC) or route.own_tests
            ):
                continue
            if with_roles:
                params += [
                    pytest.param(route, method, role, id=f"{route.name}-{method}-{role}")
                    for role in Role.values
                ]
            else:
                params.append(pytest.param(route, method, id=f"{route.name}-{method}"))
    return params


def test_every_url_of_the_portal_is_declared():
    unnamed = [route for route, name in URLS if name is None and not skip_reason(route, name)]
    undeclared = [name for name in CHECKED_NAMES if name not in REGISTRY]
    problems = []
    if unnamed:
        problems.append(f"URL patterns without a name (give them name=...): {unnamed}")
    if undeclared:
        problems.append(
            f"URLs not declared in the permission matrix: {undeclared}. Declare each one with "
            "Route(name, get=<Right|SIGNED_IN|PUBLIC|None>, post=..., kwargs=...) in a module "
            "of tests/matrix/ (see tests/matrix/__init__.py), or, for a URL that is not the "
            "portal's own, add it to SKIPPED_NAMES there with the reason."
        )
    assert not problems, "\n".join(problems)


def test_every_declaration_still_matches_a_url():
    stale = sorted(set(REGISTRY) - set(CHECKED_NAMES))
    assert not stale, f"Declared in tests/matrix/ but no such URL any more: {stale}"


def test_no_change_is_open_to_every_viewer_of_a_team():
    """A POST that needs only VIEW would let viewers change things: declare a stronger right,
    or SIGNED_IN for a person's own business (switching or leaving a team)."""
    open_posts = [route.name for route in REGISTRY.values() if route.post == Right.VIEW]
    assert not open_posts, f"POST needs more than Right.VIEW: {open_posts}"


@pytest.fixture
def world(db) -> World:
    return World.build()


def request(client: Client, route: Route, method: str, world: World):
    url = reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)
    if method == "GET":
        return client.get(url)
    data = route.post_data(world) if route.post_data else {}
    return client.post(url, data)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def is_sign_in_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        resolve_url(settings.LOGIN_URL)
    )


def describe(response) -> str:
    where = f" → {response['Location']}" if response.status_code in (301, 302) else ""
    return f"{response.status_code}{where}"


def assert_allowed(response, route: Route, method: str, who: str) -> None:
    refused = response.status_code in (403, 404, 405) or response.status_code >= 500
    assert not refused and not is_sign_in_redirect(response), (
        f"{who} should be allowed to {method} {route.name} but got {describe(response)}"
    )


@pytest.mark.parametrize(("route", "method"), cases())
def test_a_signed_out_visitor_is_sent_to_sign_in(route, method, world):
    response = request(Client(), route, method, world)
    need = route.need(method)
    if need is None:
        assert response.status_code == 405 or is_sign_in_redirect(response), describe(response)
    elif need == PUBLIC:
        assert_allowed(response, route, method, "a signed-out visitor")
    else:
        assert is_sign_in_redirect(response), (
            f"signed out {method} {route.name} should redirect to sign-in, got {describe(response)}"
        )


@pytest.mark.parametrize(("route", "method"), cases(outsider=True))
def test_a_member_of_another_team_gets_404_for_this_teams_objects(route, method, world):
    response = request(signed_in(world.outsider), route, method, world)
    assert response.status_code == 404, (
        f"an outsider's {method} {route.name} should be 404, got {describe(response)}"
    )


@pytest.mark.parametrize(("route", "method", "role"), cases(with_roles=True))
def test_each_role_is_allowed_exactly_where_the_role_table_says(route, method, role, world):
    need = route.need(method)
    response = request(signed_in(world.users[role]), route, method, world)
    if need is None:
        assert response.status_code == 405, (
            f"{method} {route.name} is declared refused (None) but gave {describe(response)}"
        )
        return
    if route.own_tests:
        assert response.status_code < 500, describe(response)
        return
    if need in (PUBLIC, SIGNED_IN) or Right(need) in ROLE_RIGHTS[role]:
        assert_allowed(response, route, method, f"a {role}")
    else:
        assert response.status_code == 403, (
            f"a {role} lacks {need} and should get 403 for {method} {route.name}, "
            f"got {describe(response)}"
        )

"""Fixtures of the API tests: tokens, an API client, the lifecycle's simulator account."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from sites_app.models import ApiToken
from tests.lifecycle.conftest import (  # noqa: F401  (fixtures used by the API tests)
    MANAGED_DOMAIN,
    account,
    enqueued,
    gandi_site,
    make_account,
    run_to_the_end,
    synced_site,
)


def make_token(user, team, access: str = ApiToken.Access.WRITE, **options) -> tuple[ApiToken, str]:
    return ApiToken.issue(
        team=team,
        user=user,
        name=options.pop("name", f"{user.username} {access}"),
        access=access,
        days=options.pop("days", 90),
        networks=options.pop("networks", []),
    )


def api_client(token: str | None = None, **extra) -> APIClient:
    client = APIClient(**extra)
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def api_for():
    """api_for(user, team, access="write") -> an APIClient sending that person's new token."""

    def make(user, team, access: str = ApiToken.Access.WRITE, **options) -> APIClient:
        _row, token = make_token(user, team, access, **options)
        return api_client(token)

    return make

"""Fixtures for the teams, invitations, Gandi accounts and audit-log tests."""

import pytest

from sites_app.models import Endpoint, GandiAccount


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Personas sign in with real passwords; the slow default hasher adds seconds per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sim_account(team, simulator):
    """make(name) -> a Gandi account of the team on the simulator, with a working key."""

    def make(name: str = "Main account", **sim_kwargs) -> tuple[GandiAccount, str]:
        key = simulator.add_account(**sim_kwargs)
        account = GandiAccount(
            team=team, name=name, endpoint=Endpoint.CUSTOM, custom_url=simulator.url
        )
        account.set_api_key(key)
        account.save()
        return account, key

    return make

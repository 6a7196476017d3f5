"""The portal's way in: a stored GandiAccount gives a working client, rate limited, key hidden."""

from __future__ import annotations

from sites_app.models import GandiAccount
from sites_app.models.accounts import Endpoint


def test_a_saved_account_talks_to_the_simulator_through_the_shared_limiter(
    team, simulator, gandi_settings
):
    key = simulator.add_account()
    account = GandiAccount(team=team, name="Main", endpoint=Endpoint.SIMULATOR)
    account.set_api_key(key)
    account.save()

    client = GandiAccount.objects.get(pk=account.pk).client(timeout=3)

    assert client.site_count() == 0
    assert client.url == simulator.url and client.timeout == 3
    assert client.rate_limiter is not None
    assert client.rate_limiter.calls == int(
        gandi_settings.GANDI_RATE_LIMIT_CALLS * gandi_settings.GANDI_RATE_LIMIT_MARGIN
    )
    assert key not in repr(client) and key not in repr(client.rate_limiter)

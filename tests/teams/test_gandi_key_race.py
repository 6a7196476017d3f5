"""Two teams adding the same Gandi key at the same moment make one account (PostgreSQL only).

Both forms' checks ran before either saved, so only the database can decide: two threads,
each with its own connection, wait at a barrier and then both add the key. Exactly one
account is made; the other team is told the key is already connected. SQLite serialises
writers on the whole file, so the race cannot happen there and the test is skipped.
"""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection, connections

from sites_app.models import Endpoint, GandiAccount, Team
from sites_app.services import gandi_accounts as account_service
from tests.fixtures.personas import make_user

ROUNDS = int(os.environ.get("RACE_ROUNDS", "5"))

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "a race test: needs PostgreSQL (DATABASE_URL) for two real connections; "
            "SQLite serialises writers"
        )


@pytest.mark.parametrize("round_no", range(ROUNDS))
def test_two_teams_adding_one_key_at_once_make_one_account(simulator, round_no):
    key = simulator.add_account()
    user = make_user(f"adder-{round_no}")
    teams = [Team.objects.create(name=f"Agency {round_no}-{n}") for n in (1, 2)]
    barrier = threading.Barrier(2)
    outcomes = ["", ""]

    def add(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            account_service.add_account(
                teams[index], name="Gandi", endpoint=Endpoint.CUSTOM,
                custom_url=simulator.url, api_key=key, actor=user,
            )  # fmt: skip
            outcomes[index] = "added"
        except account_service.KeyInUse as exc:
            outcomes[index] = str(exc)
        finally:
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=add, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(outcomes) == sorted(["added", account_service.KEY_IN_USE]), outcomes
    assert GandiAccount.objects.filter(team__in=teams).count() == 1

"""A team keeps its last owner when two owners act at the same moment (PostgreSQL only).

Two threads, each with its own database connection, wait at a barrier and then both demote
the other owner, or both leave. Exactly one may succeed; the other is refused with the
team rule's message. SQLite serialises writers on the whole file, so the race cannot happen
there and the test is skipped with a message.
"""

from __future__ import annotations

import os
import threading

import pytest
from django.db import connection, connections

from sites_app.models import Membership, Role, Team
from sites_app.services import teams as team_service
from tests.fixtures.personas import make_user

# One test run makes this many races of each kind; `RACE_ROUNDS=100` for a longer proof.
ROUNDS = int(os.environ.get("RACE_ROUNDS", "5"))

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "the last-owner race needs two real PostgreSQL connections "
            "(set DATABASE_URL=postgres://...); SQLite serialises writers"
        )


def _two_owners(round_no: int) -> tuple[Membership, Membership]:
    team = Team.objects.create(name=f"Race {round_no}")
    first = Membership.objects.create(
        team=team, user=make_user(f"owner-a-{round_no}"), role=Role.OWNER
    )
    second = Membership.objects.create(
        team=team, user=make_user(f"owner-b-{round_no}"), role=Role.OWNER
    )
    return first, second


def _at_once(*actions) -> list[str]:
    """Run each action in its own thread (its own connection) from one barrier; return
    "ok" or the refusal message of each."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = [""] * len(actions)

    def run(index: int, action) -> None:
        try:
            barrier.wait(timeout=10)
            action()
            outcomes[index] = "ok"
        except team_service.TeamRuleError as exc:
            outcomes[index] = str(exc)
        finally:
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


def test_two_owners_demoting_each_other_at_once_leave_one_owner():
    for round_no in range(ROUNDS):
        first, second = _two_owners(round_no)
        outcomes = _at_once(
            lambda f=first, s=second: team_service.change_role(
                s, role=Role.ADMIN, actor_membership=f
            ),
            lambda f=first, s=second: team_service.change_role(
                f, role=Role.ADMIN, actor_membership=s
            ),
        )
        owners = Membership.objects.filter(team=first.team, role=Role.OWNER).count()
        assert owners == 1, f"round {round_no}: {owners} owners left ({outcomes})"
        assert outcomes.count("ok") == 1
        refused = next(o for o in outcomes if o != "ok")
        # The loser is either no longer an owner, or would leave none.
        assert "keeps at least one owner" in refused or "Only an owner" in refused


def test_two_owners_leaving_at_once_leave_one_owner():
    for round_no in range(ROUNDS):
        first, second = _two_owners(round_no)
        outcomes = _at_once(
            lambda f=first: team_service.leave_team(f),
            lambda s=second: team_service.leave_team(s),
        )
        owners = Membership.objects.filter(team=first.team, role=Role.OWNER).count()
        assert owners == 1, f"round {round_no}: {owners} owners left ({outcomes})"
        assert outcomes.count("ok") == 1
        refused = next(o for o in outcomes if o != "ok")
        assert "keeps at least one owner" in refused

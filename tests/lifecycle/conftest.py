"""Fixtures of the site lifecycle tests: a Gandi account on the simulator, captured tasks."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from sites_app import tasks
from sites_app.models import Endpoint, GandiAccount, Operation, OperationStatus
from sites_app.services import operations, polling

MANAGED_DOMAIN = "managed.example"  # the simulated account holds this domain with Gandi DNS


def make_account(team, simulator, name: str = "Main account", **options) -> GandiAccount:
    account = GandiAccount(team=team, name=name, endpoint=Endpoint.CUSTOM, custom_url=simulator.url)
    account.set_api_key(simulator.add_account(gandi_domains=[MANAGED_DOMAIN], **options))
    account.save()
    return account


@pytest.fixture
def account(team, alice, simulator, gandi_settings) -> GandiAccount:
    return make_account(team, simulator)


@dataclass
class Enqueued:
    task: str
    args: tuple
    kwargs: dict


@pytest.fixture
def enqueued(monkeypatch) -> list[Enqueued]:
    """Tasks sent to the broker by the code under test, instead of sending them."""
    sent: list[Enqueued] = []
    for task in (
        tasks.submit_operation,
        tasks.recover_operation,
        tasks.cancel_operation,
        tasks.poll_account_operations,
        tasks.sync_account_sites,
    ):
        name = task.name

        def capture(args=None, kwargs=None, _name=name, **options):
            sent.append(Enqueued(_name, tuple(args or ()), dict(kwargs or {}) | options))

        monkeypatch.setattr(task, "apply_async", capture)
    return sent


def run_to_the_end(op: Operation, timeout: float = 20) -> Operation:
    """Play the worker in this process: send the row, then poll until it is final."""
    operations.submit_operation(op.pk)
    deadline = time.monotonic() + timeout
    while True:
        op.refresh_from_db()
        if op.is_final:
            return op
        if op.status == OperationStatus.CHECKING:
            operations.recover_operation(op.pk)
        else:
            polling.poll_account_operations(op.account_id)
        if time.monotonic() > deadline:
            pytest.fail(f"operation {op.pk} still {op.status} / {op.gandi_step}")
        time.sleep(0.05)

"""Fixtures of the site lifecycle tests: a Gandi account on the simulator, captured tasks."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from sites_app import tasks
from sites_app.gandi.simulator import PARKING_DOMAIN
from sites_app.models import Endpoint, GandiAccount, Operation, OperationStatus
from sites_app.services import operations, polling, recovery

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
        tasks.refresh_site,
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
            recovery.recover_operation(op.pk)
        else:
            polling.poll_account_operations(op.account_id)
        if time.monotonic() > deadline:
            pytest.fail(f"operation {op.pk} still {op.status} / {op.gandi_step}")
        time.sleep(0.05)


def gandi_site(account: GandiAccount, name: str, vhosts: list[str] | None = None) -> int:
    """Create a site at Gandi directly, as someone outside the portal would; its Gandi id."""
    client = account.client()
    slug = "".join(ch for ch in name.lower() if ch.isalnum()) or "site"
    op = client.site_create(name=name, vhosts=vhosts or [f"{slug}.{PARKING_DOMAIN}"])
    deadline = time.monotonic() + 20
    while op.step not in ("DONE", "ERROR"):
        if time.monotonic() > deadline:
            pytest.fail(f"simulated create of {name} did not finish")
        time.sleep(0.05)
        op = client.operation_info(op.id)
    assert op.step == "DONE", op
    return client.find_site_by_name(name).id


@pytest.fixture
def synced_site(account):
    """A site made at Gandi and synced into the portal."""
    from sites_app.models import Site
    from sites_app.services.sites import sync_account

    gandi_site(account, "Bakery", [f"www.{MANAGED_DOMAIN}", f"shop.{MANAGED_DOMAIN}"])
    sync_account(account)
    return Site.objects.get(account=account, name="Bakery")


def gandi_operation_count(account: GandiAccount, type: str | None = None) -> int:
    """How many operations Gandi has: what mutating calls it acted on (dry runs make none)."""
    return account.client().operation_count({"type": type} if type else None)


def upgrade_form(client, site, package: str, request_key: str) -> dict:
    """What the upgrade page posts for `package`: the box ticked and the price it showed."""
    from django.urls import reverse

    page = client.get(reverse("site_upgrade", args=[site.pk]))
    price = next(o for o in page.context["offers"] if o["name"] == package)["price"]
    return {
        "package": package,
        "accept_quote": "on",
        "quoted_price": str(price.price),
        "quoted_currency": price.currency,
        "request_key": request_key,
    }


def post_create(client, data: dict, *, accept: bool = True):
    """Both steps of the create form, as a person does them: check (the dry run and the
    price), then confirm the price shown. The last response; the first when it was not the
    confirmation page (a form error, a redirect)."""
    from django.urls import reverse

    checked = client.post(reverse("site_create"), data)
    confirm = checked.context.get("confirm") if checked.context else None
    if checked.status_code != 200 or confirm is None or not accept:
        return checked
    return client.post(reverse("site_create"), confirmation_data(confirm))


def confirmation_data(confirm, **changes) -> dict:
    """What the confirmation page's form posts, with the box ticked."""
    data = {
        "checked": confirm["checked"].value(),
        "request_key": confirm["request_key"].value(),
        "quoted_price": confirm["quoted_price"].value(),
        "quoted_currency": confirm["quoted_currency"].value(),
        "accept_quote": "on",
    }
    data.update(changes)
    return data

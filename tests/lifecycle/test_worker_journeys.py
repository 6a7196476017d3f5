"""The journeys through a REAL Celery worker process, real Redis and the simulator.

Beat is not running here: where a test needs the reconciler, it runs it once, as beat would.
"""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.celery import app
from sites_app.models import Operation, OperationStatus, Site
from sites_app.services import polling
from tests.fixtures.celery_worker import wait_for
from tests.lifecycle.conftest import (
    MANAGED_DOMAIN,
    gandi_operation_count,
    post_create,
    upgrade_form,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def worker(account, celery_worker_process):
    """A worker started after the account, so it inherits the simulator's settings."""
    return celery_worker_process


def final(op: Operation, timeout: float = 30) -> Operation:
    def ended():
        op.refresh_from_db()
        return op.is_final

    wait_for(ended, timeout=timeout, message=f"operation {op.pk} to end")
    return op


def create_via_form(client, name: str, vhosts: str) -> Operation:
    page = client.get(reverse("site_create"))
    form = page.context["form"]
    post_create(
        client,
        {
            "account": form.fields["account"].choices[0][0],
            "name": name,
            "provider": "basekit_whitelabel",
            "package": "personal",
            "duration": "1m",
            "vhosts": vhosts,
            "request_key": form["request_key"].value(),
        },
    )
    return Operation.objects.get(site_name=name, kind="create")


def test_all_changes_run_through_the_worker_with_few_gandi_calls(
    client_for, alice, account, worker, simulator, capsys
):
    client = client_for(alice)
    figures = {}

    before = simulator.calls()
    started = time.monotonic()
    op = final(create_via_form(client, "Worker shop", f"www.{MANAGED_DOMAIN}"))
    figures["create"] = (time.monotonic() - started, simulator.calls() - before)
    assert op.status == OperationStatus.DONE, op.last_error
    site = Site.objects.get(name="Worker shop")
    assert site.state == "active"

    page = client.get(reverse("site_vhosts", args=[site.pk]))
    before = simulator.calls()
    started = time.monotonic()
    client.post(
        reverse("site_vhosts", args=[site.pk]),
        {
            "vhosts": f"{site.parking_vhost}\nwww.{MANAGED_DOMAIN}\nblog.{MANAGED_DOMAIN}",
            "request_key": page.context["form"]["request_key"].value(),
        },
    )
    op = final(Operation.objects.get(kind="update_vhosts"))
    figures["update_vhosts"] = (time.monotonic() - started, simulator.calls() - before)
    assert op.status == OperationStatus.DONE, op.last_error
    site.refresh_from_db()
    assert site.vhost_names() == [
        site.parking_vhost,
        f"www.{MANAGED_DOMAIN}",
        f"blog.{MANAGED_DOMAIN}",
    ]

    form = upgrade_form(client, site, "professional", "worker-upgrade-1")  # the page, read first
    before = simulator.calls()
    started = time.monotonic()
    client.post(reverse("site_upgrade", args=[site.pk]), form)
    op = final(Operation.objects.get(kind="upgrade"))
    figures["upgrade"] = (time.monotonic() - started, simulator.calls() - before)
    assert op.status == OperationStatus.DONE, op.last_error
    site.refresh_from_db()
    assert site.package == "professional"

    before = simulator.calls()
    started = time.monotonic()
    client.post(
        reverse("site_delete", args=[site.pk]),
        {"confirm_name": "Worker shop", "request_key": "worker-delete-1"},
    )
    op = final(Operation.objects.get(kind="delete"))
    figures["delete"] = (time.monotonic() - started, simulator.calls() - before)
    assert op.status == OperationStatus.DONE, op.last_error
    listing = client.get(reverse("site_list"))
    assert [s.name for s in listing.context["page"].object_list] == []
    history = client.get(reverse("site_detail", args=[site.pk])).content.decode()
    assert "deleted at Gandi" in history
    assert history.count("Done") >= 4  # the four operations stay in its history

    with capsys.disabled():
        for kind, (seconds, calls) in figures.items():
            print(f"\n[figures] {kind}: {seconds:.2f}s to final, XML-RPC calls {dict(calls)}")
    for kind, (_, calls) in figures.items():
        mutations = calls["site.create"] + calls["site.update"] + calls["site.delete"]
        assert mutations <= 2, (kind, calls)  # a dry run at most, and the one real call
        assert calls["operation.info"] == 0  # polls are batched with operation.list


def test_an_operation_survives_its_worker_being_killed(
    client_for, alice, account, worker, simulator
):
    simulator.step_seconds = 1.0
    op = create_via_form(client_for(alice), "Survivor", f"survivor.{MANAGED_DOMAIN}")
    wait_for(
        lambda: Operation.objects.get(pk=op.pk).status == OperationStatus.IN_PROGRESS,
        message="the create to reach Gandi",
    )
    worker.kill()
    time.sleep(0.5)
    worker.start()
    # The delayed poll died with the worker's prefetch; the reconciler bounds the delay.
    Operation.objects.filter(pk=op.pk).update(next_poll_at=timezone.now() - polling.OVERDUE * 2)
    polling.reconcile_operations()
    op = final(op)
    assert op.status == OperationStatus.DONE
    assert gandi_operation_count(account, "sitebuilder_create") == 1


def test_a_lost_message_is_sent_again_by_the_reconciler(
    client_for, alice, account, worker, simulator
):
    worker.stop()
    op = create_via_form(client_for(alice), "Lost message", f"lost.{MANAGED_DOMAIN}")
    app.control.purge()  # the broker lost the message
    worker.start()
    time.sleep(1)
    op.refresh_from_db()
    assert op.status == OperationStatus.QUEUED
    Operation.objects.filter(pk=op.pk).update(created_at=timezone.now() - polling.OVERDUE * 2)
    assert polling.reconcile_operations()["resent"] == 1
    op = final(op)
    assert op.status == OperationStatus.DONE
    assert gandi_operation_count(account, "sitebuilder_create") == 1


def test_a_lost_reply_is_adopted_by_the_worker_without_a_second_create(
    client_for, alice, account, worker, simulator
):
    client = client_for(alice)
    page = client.get(reverse("site_create"))  # the form's reads, before the faults
    simulator.set_faults(fault_rate=1.0, fault_kinds="lost")
    form = page.context["form"]
    data = {
        "account": form.fields["account"].choices[0][0],
        "name": "Lost reply",
        "provider": "basekit_whitelabel",
        "package": "personal",
        "duration": "1m",
        "vhosts": f"lostreply.{MANAGED_DOMAIN}",
        "request_key": form["request_key"].value(),
    }
    # The dry run is a read: with every reply lost the form says Gandi could not check it.
    response = post_create(client, data)
    assert response.status_code == 200
    simulator.set_faults(fault_rate=0.0)
    worker.stop()  # the worker must not send before the reply is set to be lost
    post_create(client, data)
    op = Operation.objects.get()
    simulator.set_faults(fault_rate=1.0, fault_kinds="lost")
    worker.start()
    wait_for(
        lambda: Operation.objects.get(pk=op.pk).status == OperationStatus.CHECKING,
        message="the lost reply",
    )
    simulator.set_faults(fault_rate=0.0)
    op = final(op)
    assert op.status == OperationStatus.DONE
    assert gandi_operation_count(account, "sitebuilder_create") == 1
    assert Site.objects.filter(name="Lost reply").count() == 1

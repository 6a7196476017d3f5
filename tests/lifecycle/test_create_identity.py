"""A create is recognised at Gandi by its vhosts, never by its name alone (ARCHITECTURE §5.8):
same-named creates whose answers were lost each end with their own Gandi operation and site,
whether or not Gandi's operations carry `site_id`."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sites_app.models import Operation, OperationStatus, Site
from sites_app.services import operations, recovery
from tests.lifecycle.conftest import MANAGED_DOMAIN, gandi_operation_count, run_to_the_end
from tests.lifecycle.test_operation_service import request_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("site_id_in_operations", [True, False], ids=["site_id", "no_site_id"])
def test_same_named_creates_with_lost_answers_each_end_on_their_own_site(
    client_for, alice, account, enqueued, simulator, site_id_in_operations
):
    simulator.omit_operation_site_id = not site_id_in_operations
    first = request_create(
        account, alice, name="Twin", vhosts=[f"one.{MANAGED_DOMAIN}"], key="twin-0001"
    )
    second = request_create(
        account, alice, name="Twin", vhosts=[f"two.{MANAGED_DOMAIN}"], key="twin-0002"
    )
    simulator.set_faults(fault_rate=1.0, fault_kinds="lost")  # Gandi acts, the answers are lost
    operations.submit_operation(first.pk)
    operations.submit_operation(second.pk)
    simulator.set_faults(fault_rate=0.0)
    # The second row looks first: by name alone it would take the first row's operation.
    recovery.recover_operation(second.pk)
    recovery.recover_operation(first.pk)
    first, second = run_to_the_end(first), run_to_the_end(second)

    assert first.status == second.status == OperationStatus.DONE
    assert first.gandi_operation_id != second.gandi_operation_id
    assert first.site_id != second.site_id
    assert first.site.vhost_names()[0] == f"one.{MANAGED_DOMAIN}"
    assert second.site.vhost_names()[0] == f"two.{MANAGED_DOMAIN}"
    assert gandi_operation_count(account, "sitebuilder_create") == 2
    assert simulator.calls()["site.create"] == 2  # nothing sent twice
    # Both are in the sites list at once, each with its own history.
    listing = client_for(alice).get(reverse("site_list"))
    assert sorted(s.pk for s in listing.context["page"].object_list) == sorted(
        [first.site_id, second.site_id]
    )
    assert list(first.site.operations.values_list("pk", flat=True)) == [first.pk]
    assert list(second.site.operations.values_list("pk", flat=True)) == [second.pk]


def test_without_site_id_a_done_create_finds_its_site_by_vhost_not_by_name(
    account, alice, enqueued, simulator
):
    simulator.omit_operation_site_id = True
    older = request_create(account, alice, name="Same", vhosts=[f"a.{MANAGED_DOMAIN}"], key="s-01")
    newer = request_create(account, alice, name="Same", vhosts=[f"b.{MANAGED_DOMAIN}"], key="s-02")
    operations.submit_operation(older.pk)
    operations.submit_operation(newer.pk)  # both sites exist at Gandi before either is done
    older, newer = run_to_the_end(older), run_to_the_end(newer)
    assert older.site.vhost_names()[0] == f"a.{MANAGED_DOMAIN}"
    assert newer.site.vhost_names()[0] == f"b.{MANAGED_DOMAIN}"
    assert Site.objects.filter(name="Same").count() == 2


def test_the_simulator_can_leave_site_id_out_of_operations(account, simulator):
    client = account.client()
    created = client.site_create(name="Flagged", vhosts=[f"flag.{MANAGED_DOMAIN}"])
    assert client.operation_info(created.id).site_id is not None
    simulator.omit_operation_site_id = True
    assert client.operation_info(created.id).site_id is None
    assert client.operations_by_id([created.id])[created.id].site_id is None
    # Filters still work on it, as Gandi documents the filter.
    site = client.find_created_site(name="Flagged", vhosts=[f"flag.{MANAGED_DOMAIN}"])
    assert [o.id for o in client.find_operations(type=created.type, site_id=site.id)] == [
        created.id
    ]


def test_the_simulator_command_line_has_the_flag(tmp_path):
    from sites_app.gandi.simulator import cli

    parser = cli.argparse.ArgumentParser()
    cli.add_arguments(parser)
    options = parser.parse_args(["--state", str(tmp_path / "s.json"), "--omit-operation-site-id"])
    assert cli.build(options).omit_operation_site_id is True
    plain = parser.parse_args(["--state", str(tmp_path / "t.json")])
    assert cli.build(plain).omit_operation_site_id is False


def test_one_gandi_operation_belongs_to_one_row(account, alice, enqueued, simulator):
    from django.db import IntegrityError, transaction

    first = run_to_the_end(request_create(account, alice, name="Owner", key="owner-0001"))
    other = request_create(
        account, alice, name="Owner", vhosts=[f"x.{MANAGED_DOMAIN}"], key="owner-0002"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Operation.objects.filter(pk=other.pk).update(gandi_operation_id=first.gandi_operation_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        Operation.objects.filter(pk=other.pk).update(site=first.site)

"""Ownership proofs through the API: a script follows the 409 to its verification, reads the
TXT records, publishes them (the simulator's DNS), checks, and gets the operation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sites_app.models import (
    ApiToken,
    AuditEvent,
    Operation,
    OperationStatus,
    PendingRequest,
    Role,
)
from tests.api.conftest import api_client, make_token, run_to_the_end
from tests.api.test_resources import create, problem

pytestmark = pytest.mark.django_db

FOREIGN = "www.script-shop.example"  # a domain Gandi does not manage: it needs its TXT record


@pytest.fixture
def api(alice, team, account):
    return api_client(make_token(alice, team)[1])


def start_create(api, account, vhosts=None) -> dict:
    """A create on a foreign domain: the 409 that asks for the proof."""
    response = create(api, account, name="Script shop", vhosts=vhosts or [FOREIGN])
    assert response.status_code == 409, response.content
    body = problem(response)
    assert body["code"] == "ownership_proof_required"
    return body


def test_a_script_finishes_a_create_that_needs_an_ownership_proof(
    api, account, simulator, enqueued
):
    proof = start_create(api, account)["verification"]
    assert proof["url"].endswith(reverse("api:verification-detail", args=[proof["id"]]))
    shown = api.get(proof["url"]).json()
    assert (shown["kind"], shown["status"], shown["vhosts"]) == ("create", "waiting", [FOREIGN])
    [record] = shown["records"]
    assert (record["name"], record["type"], record["found"]) == (FOREIGN, "TXT", False)
    assert (record["relative_name"], record["zone"]) == ("www", "script-shop.example")
    assert record["value"].startswith("vhost=")
    assert shown["expires_at"] and shown["operation"] is None

    # Checked before the record exists: 200, what is missing in plain words, nothing sent.
    early = api.post(shown["check_url"])
    assert early.status_code == 200, early.content
    assert early.json()["detail"].startswith("DNS does not show 1 of the 1 TXT records yet: ")
    assert FOREIGN in early.json()["detail"] and "Nothing was sent" in early.json()["detail"]
    assert [r["name"] for r in early.json()["missing"]] == [FOREIGN]
    assert early.json()["missing"][0]["dns_answer"]  # e.g. the name does not exist (NXDOMAIN)
    assert not Operation.objects.exists()

    simulator.publish_txt(record["name"], record["value"])
    response = api.post(shown["check_url"])
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["created"] is True
    assert response["Location"].endswith(
        reverse("api:operation-detail", args=[body["operation"]["id"]])
    )
    op = Operation.objects.get()
    assert op.params["vhosts"] == [FOREIGN] and "price" in op.params  # the confirmed price
    assert run_to_the_end(op).status == OperationStatus.DONE
    done = api.get(reverse("api:operation-detail", args=[op.pk])).json()
    assert done["status"] == "done" and done["site"]

    after = api.get(proof["url"]).json()
    assert after["status"] == "submitted" and after["operation"]["id"] == op.pk
    assert after["records"][0]["found"] is True
    again = api.post(shown["check_url"])  # sent twice: the same operation
    assert again.status_code == 202 and again.json()["created"] is False
    assert again.json()["operation"]["id"] == op.pk
    assert Operation.objects.count() == 1
    path = reverse("api:verification-check", args=[proof["id"]])
    checks = AuditEvent.objects.filter(action="api.write", detail__path=path).order_by("pk")
    assert [e.detail["status"] for e in checks] == [200, 202, 202]


def test_a_vhost_change_is_checked_and_submitted_by_an_operator(
    synced_site, team, member, simulator, enqueued
):
    operator = api_client(make_token(member(Role.OPERATOR), team)[1])
    vhosts = [*synced_site.vhost_names(), "blog.own-domain.example"]
    response = operator.put(
        reverse("api:site-vhosts", args=[synced_site.pk]), {"vhosts": vhosts}, format="json"
    )
    assert response.status_code == 409
    proof = problem(response)["verification"]
    record = operator.get(proof["url"]).json()["records"][0]
    simulator.publish_txt(record["name"], record["value"])
    checked = operator.post(proof["check_url"])
    assert checked.status_code == 202, checked.content
    op = Operation.objects.get()
    assert (op.kind, op.params["vhosts"]) == ("update_vhosts", vhosts)
    assert run_to_the_end(op).status == OperationStatus.DONE


def test_an_operator_cannot_submit_a_create_and_a_read_only_token_cannot_check(
    api, alice, account, team, member, simulator, enqueued
):
    proof = start_create(api, account)["verification"]
    record = PendingRequest.objects.get().records.get()
    simulator.publish_txt(record.txt_name, record.txt_value)
    read_only = api_client(make_token(alice, team, ApiToken.Access.READ)[1])
    assert read_only.get(proof["url"]).status_code == 200
    refused = read_only.post(proof["check_url"])
    assert refused.status_code == 403 and "read-only" in problem(refused)["detail"]
    assert read_only.delete(proof["url"]).status_code == 403
    operator = api_client(make_token(member(Role.OPERATOR), team)[1])
    assert operator.post(proof["check_url"]).status_code == 403  # a create spends money
    assert not Operation.objects.exists()
    assert PendingRequest.objects.get().status == PendingRequest.Status.WAITING


def test_another_teams_proof_is_a_404_and_absent_from_its_list(
    api, account, other_team, charlie, enqueued
):
    proof = start_create(api, account)["verification"]
    outsider = api_client(make_token(charlie, other_team)[1])
    for method in ("get", "delete"):
        response = getattr(outsider, method)(proof["url"])
        assert response.status_code == 404 and problem(response)["status"] == 404
    assert outsider.post(proof["check_url"]).status_code == 404
    assert outsider.get(reverse("api:verification-list")).json()["results"] == []
    assert PendingRequest.objects.get().status == PendingRequest.Status.WAITING


def test_the_list_filters_by_status_and_site(api, account, synced_site, enqueued):
    start_create(api, account)
    vhosts = [*synced_site.vhost_names(), "www.another-own.example"]
    api.put(reverse("api:site-vhosts", args=[synced_site.pk]), {"vhosts": vhosts}, format="json")
    url = reverse("api:verification-list")
    assert [p["kind"] for p in api.get(url).json()["results"]] == ["update_vhosts", "create"]
    on_site = api.get(url, {"site": synced_site.pk}).json()["results"]
    assert [p["site_name"] for p in on_site] == [synced_site.name]
    create_id = PendingRequest.objects.get(kind="create").pk
    assert api.delete(reverse("api:verification-detail", args=[create_id])).status_code == 204
    dropped = api.get(url, {"status": "abandoned"}).json()["results"]
    assert [p["id"] for p in dropped] == [create_id]
    assert api.get(url, {"status": "nonsense"}).status_code == 400


def test_a_dropped_proof_cannot_be_checked_and_a_submitted_one_cannot_be_dropped(
    api, account, simulator, enqueued
):
    first = start_create(api, account)["verification"]
    assert api.delete(first["url"]).status_code == 204
    assert api.delete(first["url"]).status_code == 204  # dropped already: the same answer
    assert AuditEvent.objects.filter(action="site.verification_abandoned").count() == 1
    refused = api.post(first["check_url"])
    assert refused.status_code == 409 and "abandoned" in problem(refused)["detail"]

    second = start_create(api, account, vhosts=["www.second-shop.example"])["verification"]
    record = PendingRequest.objects.get(pk=second["id"]).records.get()
    simulator.publish_txt(record.txt_name, record.txt_value)
    op_id = api.post(second["check_url"]).json()["operation"]["id"]
    kept = api.delete(second["url"])
    assert kept.status_code == 409 and problem(kept)["code"] == "submitted"
    assert f"operation {op_id}" in problem(kept)["detail"]
    assert Operation.objects.get().pk == op_id


def test_a_create_whose_price_went_up_since_it_was_confirmed_is_not_submitted(
    api, account, simulator, enqueued, monkeypatch
):
    from tests.lifecycle.test_create_quote import raise_price

    proof = start_create(api, account)["verification"]
    record = PendingRequest.objects.get().records.get()
    simulator.publish_txt(record.txt_name, record.txt_value)
    raise_price(monkeypatch, account)
    response = api.post(proof["check_url"])
    assert response.status_code == 409
    body = problem(response)
    assert body["code"] == "price_changed"
    assert body["detail"].startswith("Not sent: Gandi's price is now 6.99 EUR, more than the")
    assert not Operation.objects.exists()
    assert api.get(proof["url"]).json()["status"] == "ready"  # kept: drop it or start again


def test_a_check_that_was_running_when_the_proof_was_submitted_leaves_it_submitted(
    api, alice, account, simulator, enqueued
):
    from sites_app.services import verification

    proof = start_create(api, account)["verification"]
    running = PendingRequest.objects.get()  # beat's re-check read it before the submit
    record = running.records.get()
    simulator.publish_txt(record.txt_name, record.txt_value)
    assert api.post(proof["check_url"]).status_code == 202
    verification.check_dns(running)
    shown = api.get(proof["url"]).json()
    assert shown["status"] == "submitted" and shown["operation"]["id"] == Operation.objects.get().pk

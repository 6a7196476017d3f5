"""One proof, one Operation: a check POSTed while another check (or beat's re-check) is
writing the Operation, each on its own PostgreSQL connection, answers that same operation."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from sites_app.models import Operation, PendingRequest
from sites_app.services import verification
from tests.api.conftest import api_client, make_token
from tests.api.test_verifications import start_create

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(call, results: list):
    def run():
        try:
            results.append(call())
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.parametrize("first", ["api check", "beat re-check"])
def test_a_second_check_while_the_first_writes_the_operation_gets_the_same_one(
    first, alice, team, account, simulator, enqueued, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("a race test: needs PostgreSQL (DATABASE_URL) for two real connections")
    api = api_client(make_token(alice, team)[1])
    proof = start_create(api, account)["verification"]
    pending = PendingRequest.objects.get()
    record = pending.records.get()
    simulator.publish_txt(record.txt_name, record.txt_value)
    if first == "beat re-check":
        verification.choose_auto_submit(pending, alice)
        PendingRequest.objects.update(next_check_at=pending.created_at)

    # The first one to write the Operation holds its transaction open until the second has
    # come in; the second then waits on the proof's row and must find that operation.
    real = verification.request_operation
    inside, release = threading.Event(), threading.Event()

    def held_open(**kwargs):
        made = real(**kwargs)
        if not inside.is_set():
            inside.set()
            assert release.wait(15)
        return made

    monkeypatch.setattr(verification, "request_operation", held_open)
    check = lambda: api.post(proof["check_url"])  # noqa: E731
    first_results, second_results = [], []
    first_thread = in_thread(
        check if first == "api check" else verification.recheck_due, first_results
    )
    assert inside.wait(15), "the first never wrote its operation"
    second_thread = in_thread(check, second_results)
    second_thread.join(1.0)  # it waits on the lock the first holds
    release.set()
    first_thread.join(15)
    second_thread.join(15)

    assert Operation.objects.count() == 1
    op = Operation.objects.get()
    [second] = second_results
    assert second.status_code == 202, second.content
    assert second.json()["operation"]["id"] == op.pk and second.json()["created"] is False
    if first == "api check":
        assert first_results[0].status_code == 202
        assert first_results[0].json()["created"] is True
    assert PendingRequest.objects.get().operation_id == op.pk
    assert api.get(reverse("api:verification-detail", args=[proof["id"]])).json()["status"] == (
        "submitted"
    )

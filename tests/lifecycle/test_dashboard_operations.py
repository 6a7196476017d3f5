"""The dashboard's operations card follows operations in flight live, then stops polling."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from sites_app.models import Operation, OperationStatus
from tests.lifecycle.conftest import post_create, run_to_the_end
from tests.lifecycle.test_create_views import form_data

pytestmark = pytest.mark.django_db

POLL = re.compile(r'hx-get="/operations/in-progress/\?v=(\w+)" hx-trigger="every 500ms"')


def test_the_card_polls_while_an_operation_is_in_flight(client_for, alice, account, enqueued):
    client = client_for(alice)
    post_create(client, form_data(client))
    op = Operation.objects.get()
    dashboard = client.get(reverse("dashboard")).content.decode()
    version = POLL.search(dashboard).group(1)
    assert f'<a href="/operations/{op.pk}/">Create site Corner shop</a>' in dashboard
    # Asked again with nothing changed: "no content", the card stays as it is.
    same = client.get(reverse("dashboard_operations"), {"v": version})
    assert same.status_code == 204 and same.content == b""

    run_to_the_end(op)
    assert Operation.objects.get().status == OperationStatus.DONE
    card = client.get(reverse("dashboard_operations"), {"v": version}).content.decode()
    assert "None." in card
    assert "hx-trigger" not in card  # nothing in flight: the card stops asking


def test_without_operations_the_dashboard_does_not_poll(client_for, alice, account):
    assert (
        "/operations/in-progress/"
        not in client_for(alice).get(reverse("dashboard")).content.decode()
    )

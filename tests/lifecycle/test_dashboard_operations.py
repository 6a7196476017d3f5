"""The dashboard's operations card follows operations in flight live, then stops polling."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sites_app.models import Operation, OperationStatus
from tests.lifecycle.conftest import run_to_the_end
from tests.lifecycle.test_create_views import form_data

pytestmark = pytest.mark.django_db

POLL = 'hx-get="/operations/in-progress/" hx-trigger="every 3s"'


def test_the_card_polls_while_an_operation_is_in_flight(client_for, alice, account, enqueued):
    client = client_for(alice)
    client.post(reverse("site_create"), form_data(client))
    op = Operation.objects.get()
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert POLL in dashboard
    assert f'<a href="/operations/{op.pk}/">Create site Corner shop</a>' in dashboard

    run_to_the_end(op)
    assert Operation.objects.get().status == OperationStatus.DONE
    card = client.get(reverse("dashboard_operations")).content.decode()
    assert "None." in card
    assert "hx-trigger" not in card  # nothing in flight: the card stops asking


def test_without_operations_the_dashboard_does_not_poll(client_for, alice, account):
    assert (
        "/operations/in-progress/"
        not in client_for(alice).get(reverse("dashboard")).content.decode()
    )

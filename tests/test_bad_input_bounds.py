"""Oversized input is a clear message, never a 500 or a long stall."""

import time

from django.urls import reverse

from sites_app.models import Endpoint, GandiAccount


def test_a_huge_number_in_the_operation_filters_is_a_form_error_not_a_500(client_for, alice):
    response = client_for(alice).get(
        reverse("operation_list"), {"site": "9" * 25, "account": "9" * 25}
    )
    assert response.status_code == 200
    assert b"less than or equal to" in response.content


def test_a_pasted_flood_of_vhosts_is_refused_quickly_and_kept(client_for, alice, team, simulator):
    account = GandiAccount(
        team=team, name="Main", endpoint=Endpoint.CUSTOM, custom_url=simulator.url
    )
    account.set_api_key(simulator.add_account())
    account.save()
    flood = "\n".join(f"host{i}.example.com" for i in range(60_000))
    started = time.monotonic()
    response = client_for(alice).post(
        reverse("site_create"),
        {"account": account.pk, "name": "Flood", "vhosts": flood, "request_key": "k" * 32},
    )
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    page = response.content.decode()
    assert "at most" in page.lower()
    assert 'value="Flood"' in page  # what the user typed is kept
    assert simulator.calls()["site.create"] == 0

"""Journey 3, the price: create shows Gandi's quote and asks to confirm it; a changed price is
refused when posted and again when the worker sends; short credit is said with the amounts."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from sites_app.gandi.simulator import catalog as simulated_catalog
from sites_app.models import Operation, OperationStatus
from sites_app.services import catalog, operations
from tests.lifecycle.conftest import (
    MANAGED_DOMAIN,
    confirmation_data,
    gandi_operation_count,
    make_account,
    run_to_the_end,
)
from tests.lifecycle.test_create_views import form_data

pytestmark = pytest.mark.django_db

# The simulator's catalogue: personal is 4.99 EUR a month, so three months are 14.97 EUR.
THREE_MONTHS_PERSONAL = "14.97 EUR"


def check(client, **changes):
    """Step one: the dry run and the confirmation page."""
    return client.post(reverse("site_create"), form_data(client, **changes))


def raise_price(monkeypatch, account, package: str = "personal", monthly: float = 6.99):
    """Gandi changes its price list; the portal's minute-long cache of it is dropped."""
    monkeypatch.setitem(simulated_catalog.MONTHLY_PRICES[package], "create", monthly)
    cache.delete(catalog._key(account, f"prices:basekit_whitelabel:{package}:create:None"))


def test_the_check_shows_the_price_and_creates_nothing_until_confirmed(
    client_for, alice, account, enqueued, simulator
):
    client = client_for(alice)
    page = check(client)
    text = page.content.decode()
    assert page.status_code == 200
    assert THREE_MONTHS_PERSONAL in text
    assert "4.99 EUR per month \u00d7 3" in text
    assert "Confirm and create" in text
    assert not Operation.objects.exists()
    assert simulator.calls()["catalog.list"] == 1

    done = client.post(reverse("site_create"), confirmation_data(page.context["confirm"]))
    op = Operation.objects.get()
    assert done["Location"] == reverse("operation_detail", args=[op.pk])
    assert (op.params["price"], op.params["currency"]) == (14.97, "EUR")
    shown = client.get(done["Location"]).content.decode()
    # The flash says what is true now (queued), in blue, never a green "on its way".
    assert "is queued for Gandi at 14.97 EUR" in shown
    assert "alert-success" not in shown
    assert 'data-testid="request-price-accepted">14.97 EUR' in shown


def test_confirming_without_ticking_the_box_is_refused(client_for, alice, account, enqueued):
    client = client_for(alice)
    page = check(client)
    data = confirmation_data(page.context["confirm"])
    del data["accept_quote"]
    response = client.post(reverse("site_create"), data)
    assert "Tick the box to accept the price." in response.content.decode()
    assert not Operation.objects.exists()


def test_a_price_changed_since_the_page_is_refused_and_shown_again(
    client_for, alice, account, enqueued, monkeypatch
):
    client = client_for(alice)
    page = check(client)
    raise_price(monkeypatch, account)
    response = client.post(reverse("site_create"), confirmation_data(page.context["confirm"]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "The price changed: this site now costs 20.97 EUR (you saw 14.97 EUR)" in text
    assert 'name="quoted_price" value="20.97"' in text  # the new price, to accept again
    assert not Operation.objects.exists()

    again = client.post(reverse("site_create"), confirmation_data(response.context["confirm"]))
    assert Operation.objects.get().params["price"] == 20.97
    assert again.status_code == 302


def test_an_altered_check_is_refused(client_for, alice, account, enqueued):
    client = client_for(alice)
    page = check(client)
    data = confirmation_data(page.context["confirm"])
    data["checked"] = data["checked"][:-3] + "abc"
    response = client.post(reverse("site_create"), data, follow=True)
    assert "too old or was altered" in response.content.decode()
    assert not Operation.objects.exists()


def test_the_worker_does_not_send_when_the_price_went_up_after_confirming(
    client_for, alice, account, enqueued, monkeypatch
):
    client = client_for(alice)
    page = check(client)
    client.post(reverse("site_create"), confirmation_data(page.context["confirm"]))
    op = Operation.objects.get()
    raise_price(monkeypatch, account)
    operations.submit_operation(op.pk)
    op.refresh_from_db()
    assert op.status == OperationStatus.FAILED
    assert op.last_error.startswith(
        "Not sent: Gandi's price is now 20.97 EUR, more than the 14.97 EUR you confirmed."
    )
    assert gandi_operation_count(account) == 0  # nothing was bought


def test_short_credit_is_said_with_the_amounts_then_caught_before_sending(
    client_for, alice, team, simulator, enqueued
):
    poor = make_account(team, simulator, name="Poor account", credit=5.0)
    client = client_for(alice)
    page = check(client, account=str(poor.pk))
    assert "does not show the account's credit in advance" in page.content.decode()
    client.post(reverse("site_create"), confirmation_data(page.context["confirm"]))
    op = run_to_the_end(Operation.objects.get())
    assert op.status == OperationStatus.FAILED
    assert op.last_error.startswith(
        "Not enough prepaid credit at Gandi: this needs 14.97 EUR and the account has 5.00 EUR "
        "available."
    )
    failed = client.get(reverse("operation_detail", args=[op.pk])).content.decode()
    assert "this needs 14.97 EUR and the account has 5.00 EUR available" in failed

    # Gandi's answer is remembered: the next quote says it and refuses before sending.
    page = check(client, account=str(poor.pk), name="Second try", vhosts=f"b.{MANAGED_DOMAIN}")
    text = page.content.decode()
    assert "the account had <strong>5.00 EUR</strong> of prepaid credit" in text
    short = (
        "Not enough prepaid credit: this site costs 14.97 EUR and Gandi said the account "
        "“Poor account” has 5.00 EUR available."
    )
    assert short in text
    response = client.post(reverse("site_create"), confirmation_data(page.context["confirm"]))
    assert short in response.content.decode()
    assert Operation.objects.count() == 1
    assert simulator.calls()["site.create"] == 3  # two dry runs and the one refused create


def test_what_gandi_said_of_the_credit_is_not_inherited_by_a_new_account_with_the_same_id(
    team, simulator, gandi_settings
):
    from sites_app.gandi.errors import NoCreditError
    from sites_app.services import quotes

    first = make_account(team, simulator, name="First")
    said = NoCreditError(
        fault_string="Not enough prepaid credit: 9.00 EUR needed, 1.00 EUR available"
    )
    quotes.remember_credit(first, said)
    assert quotes.known_credit(first).available == 1.0
    pk = first.pk
    first.delete()
    second = make_account(team, simulator, name="Second")
    second.pk = pk  # what a database that reuses ids does
    assert quotes.known_credit(second) is None

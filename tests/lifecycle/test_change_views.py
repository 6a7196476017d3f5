"""Journeys 5, 6 and 8 through the views: vhosts, upgrade, operations, cancel and retry."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sites_app.models import Operation, OperationKind, OperationStatus, PendingRequest, Role
from sites_app.services import operations
from tests.lifecycle.conftest import MANAGED_DOMAIN, run_to_the_end

pytestmark = pytest.mark.django_db


def quick(client, site, action, vhost):
    page = client.get(reverse("site_vhosts", args=[site.pk]))
    key = page.context["add_key"]
    return client.post(
        reverse("site_vhosts", args=[site.pk]),
        {"action": action, "vhost": vhost, "request_key": key},
    )


def test_the_parking_vhost_cannot_be_removed(client_for, alice, synced_site):
    response = quick(client_for(alice), synced_site, "remove", synced_site.parking_vhost)
    assert response.status_code == 200
    assert "cannot be removed" in response.content.decode()
    assert not Operation.objects.exists()


def test_a_list_without_the_parking_vhost_is_refused(client_for, alice, synced_site):
    client = client_for(alice)
    page = client.get(reverse("site_vhosts", args=[synced_site.pk]))
    response = client.post(
        reverse("site_vhosts", args=[synced_site.pk]),
        {
            "vhosts": f"www.{MANAGED_DOMAIN}",
            "request_key": page.context["form"]["request_key"].value(),
        },
    )
    assert "must stay" in " ".join(response.context["form"].errors["vhosts"])
    assert f"www.{MANAGED_DOMAIN}" in response.content.decode()


def test_choosing_the_preferred_vhost_is_one_update(
    client_for, alice, synced_site, enqueued, simulator
):
    client = client_for(alice)
    response = quick(client, synced_site, "prefer", f"shop.{MANAGED_DOMAIN}")
    op = Operation.objects.get()
    assert response["Location"] == reverse("operation_detail", args=[op.pk])
    assert op.kind == OperationKind.UPDATE_VHOSTS
    assert op.params["vhosts"][0] == f"shop.{MANAGED_DOMAIN}"
    op = run_to_the_end(op)
    assert op.status == OperationStatus.DONE
    synced_site.refresh_from_db()
    assert synced_site.vhost_names()[0] == f"shop.{MANAGED_DOMAIN}"
    assert synced_site.preferred_vhost == f"shop.{MANAGED_DOMAIN}"
    assert simulator.calls()["site.update"] == 2  # one dry run, one update


def test_removing_and_reordering_in_the_full_list(client_for, alice, synced_site, enqueued):
    client = client_for(alice)
    page = client.get(reverse("site_vhosts", args=[synced_site.pk]))
    new = f"{synced_site.parking_vhost}\n www.{MANAGED_DOMAIN.upper()} "
    client.post(
        reverse("site_vhosts", args=[synced_site.pk]),
        {"vhosts": new, "request_key": page.context["form"]["request_key"].value()},
    )
    op = run_to_the_end(Operation.objects.get())
    assert op.status == OperationStatus.DONE
    synced_site.refresh_from_db()
    assert synced_site.vhost_names() == [synced_site.parking_vhost, f"www.{MANAGED_DOMAIN}"]


def test_a_new_vhost_on_a_foreign_domain_needs_the_txt_record_first(
    client_for, alice, synced_site, enqueued, simulator
):
    client = client_for(alice)
    response = quick(client, synced_site, "add", "shop.customer-domain.example")
    pending = PendingRequest.objects.get()
    assert response["Location"] == reverse("verification_detail", args=[pending.pk])
    assert pending.kind == PendingRequest.Kind.UPDATE_VHOSTS
    record = pending.records.get()
    simulator.publish_txt(record.txt_name, record.txt_value)
    client.post(reverse("verification_check", args=[pending.pk]))
    client.post(reverse("verification_confirm", args=[pending.pk]))
    op = run_to_the_end(Operation.objects.get())
    assert op.status == OperationStatus.DONE
    vhost = synced_site.vhosts.get(name="shop.customer-domain.example")
    assert vhost.get_ownership_display() == "TXT record seen"


def test_an_invalid_vhost_keeps_what_was_typed(client_for, alice, synced_site):
    response = quick(client_for(alice), synced_site, "add", "bad_host.example")
    assert response.status_code == 200
    page = response.content.decode()
    assert "not a valid host name" in page
    assert 'value="bad_host.example"' in page


def test_a_refused_remove_does_not_fill_the_add_box(client_for, alice, synced_site):
    response = quick(client_for(alice), synced_site, "remove", synced_site.parking_vhost)
    page = response.content.decode()
    assert "cannot be removed" in page
    assert f'aria-label="New vhost" value="{synced_site.parking_vhost}"' not in page
    assert 'aria-label="New vhost" value=""' in page


def test_a_vhost_added_on_the_parking_domain_is_labelled_parking(
    client_for, alice, synced_site, enqueued
):
    parking_domain = synced_site.parking_vhost.partition(".")[2]
    extra = f"promo.{parking_domain}"
    response = quick(client_for(alice), synced_site, "add", extra)
    op = Operation.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
    assert run_to_the_end(op).status == OperationStatus.DONE
    vhost = synced_site.vhosts.get(name=extra)
    assert vhost.get_ownership_display() == "Parking vhost (provider domain)"
    other = synced_site.vhosts.get(name=f"www.{MANAGED_DOMAIN}")
    assert other.get_ownership_display() != "Parking vhost (provider domain)"


def test_a_viewer_cannot_change_vhosts(client_for, member, synced_site):
    response = client_for(member(Role.VIEWER)).get(reverse("site_vhosts", args=[synced_site.pk]))
    assert response.status_code == 403


def test_upgrade_offers_only_higher_packages_with_prices(client_for, alice, synced_site, simulator):
    response = client_for(alice).get(reverse("site_upgrade", args=[synced_site.pk]))
    offers = response.context["offers"]
    assert [o["name"] for o in offers] == ["professional", "business"]
    assert all(o["price"].price > 0 and o["price"].currency == "EUR" for o in offers)
    page = response.content.decode()
    assert f"{offers[0]['price'].price:.2f} EUR" in page


def test_a_crafted_downgrade_is_refused(client_for, alice, synced_site, enqueued):
    client = client_for(alice)
    page = client.get(reverse("site_upgrade", args=[synced_site.pk]))
    quote = next(o for o in page.context["offers"] if o["name"] == "business")["price"]
    client.post(
        reverse("site_upgrade", args=[synced_site.pk]),
        {
            "package": "business",
            "accept_quote": "on",
            "quoted_price": str(quote.price),
            "quoted_currency": quote.currency,
            "request_key": "upgrade-key-1",
        },
    )
    run_to_the_end(Operation.objects.get())
    synced_site.refresh_from_db()
    assert synced_site.package == "business"
    response = client.post(
        reverse("site_upgrade", args=[synced_site.pk]),
        {"package": "personal", "accept_quote": "on", "request_key": "upgrade-key-2"},
    )
    assert response.status_code == 200
    assert "never downgraded" in response.content.decode()
    assert Operation.objects.count() == 1


def test_an_upgrade_needs_the_quote_accepted(client_for, alice, synced_site):
    response = client_for(alice).post(
        reverse("site_upgrade", args=[synced_site.pk]),
        {"package": "professional", "request_key": "upgrade-key-3"},
    )
    assert "accept the price" in response.content.decode()
    assert not Operation.objects.exists()


def test_an_operator_cannot_upgrade(client_for, member, synced_site):
    response = client_for(member(Role.OPERATOR)).post(
        reverse("site_upgrade", args=[synced_site.pk]),
        {"package": "professional", "accept_quote": "on", "request_key": "k" * 10},
    )
    assert response.status_code == 403


def test_the_operations_page_filters_and_links(client_for, alice, synced_site, enqueued):
    client = client_for(alice)
    quick(client, synced_site, "prefer", f"shop.{MANAGED_DOMAIN}")
    op = Operation.objects.get()
    listing = client.get(reverse("operation_list"))
    assert [o.pk for o in listing.context["page"].object_list] == [op.pk]
    assert 'hx-trigger="every 500ms"' in listing.content.decode()  # in flight: live
    assert not client.get(reverse("operation_list"), {"kind": "delete"}).context["page"].object_list
    assert client.get(reverse("operation_list"), {"site": "abc"}).status_code == 200
    run_to_the_end(op)
    listing = client.get(reverse("operation_list"), {"step": "DONE"})
    assert [o.pk for o in listing.context["page"].object_list] == [op.pk]
    assert 'hx-trigger="every 500ms"' not in listing.content.decode()  # all final: no polling


def test_the_operation_page_shows_progress_and_stops_polling_when_done(
    client_for, alice, synced_site, enqueued
):
    client = client_for(alice)
    quick(client, synced_site, "prefer", f"shop.{MANAGED_DOMAIN}")
    op = Operation.objects.get()
    fragment = client.get(reverse("operation_progress", args=[op.pk])).content.decode()
    assert "Waiting to be sent" in fragment
    assert 'hx-trigger="every 500ms"' in fragment
    run_to_the_end(op)
    fragment = client.get(reverse("operation_progress", args=[op.pk])).content.decode()
    assert "Done" in fragment
    assert "hx-trigger" not in fragment
    assert fragment.count("✓") == 4  # BILL, WAIT, RUN, DONE


def test_cancel_before_sending_needs_no_gandi_call(
    client_for, alice, synced_site, enqueued, simulator
):
    client = client_for(alice)
    quick(client, synced_site, "prefer", f"shop.{MANAGED_DOMAIN}")
    op = Operation.objects.get()
    client.post(reverse("operation_cancel", args=[op.pk]))
    op.refresh_from_db()
    assert op.status == OperationStatus.CANCELLED
    operations.submit_operation(op.pk)
    assert simulator.calls()["operation.cancel"] == 0
    assert simulator.calls()["site.update"] == 1  # the dry run only


def test_cancel_while_gandi_bills_cancels_at_gandi(
    client_for, alice, synced_site, enqueued, simulator
):
    simulator.step_seconds = 5
    client = client_for(alice)
    quick(client, synced_site, "prefer", f"shop.{MANAGED_DOMAIN}")
    op = Operation.objects.get()
    operations.submit_operation(op.pk)
    response = client.post(reverse("operation_cancel", args=[op.pk]), follow=True)
    assert "Cancellation requested" in response.content.decode()
    operations.send_cancel(op.pk)
    op = run_to_the_end(op)
    assert op.status == OperationStatus.CANCELLED
    assert op.can_retry
    assert simulator.calls()["operation.cancel"] == 1


def test_retry_makes_a_new_operation_once(client_for, alice, synced_site, enqueued):
    client = client_for(alice)
    quick(client, synced_site, "prefer", f"shop.{MANAGED_DOMAIN}")
    op = Operation.objects.get()
    client.post(reverse("operation_cancel", args=[op.pk]))
    data = {"request_key": "retry-key-0001"}
    first = client.post(reverse("operation_retry", args=[op.pk]), data)
    second = client.post(reverse("operation_retry", args=[op.pk]), data)
    assert Operation.objects.count() == 2
    assert first["Location"] == second["Location"]
    retry = Operation.objects.exclude(pk=op.pk).get()
    assert retry.retry_of == op
    assert retry.params == op.params


def test_done_operations_cannot_be_retried(client_for, alice, synced_site, enqueued):
    client = client_for(alice)
    quick(client, synced_site, "prefer", f"shop.{MANAGED_DOMAIN}")
    op = run_to_the_end(Operation.objects.get())
    response = client.post(
        reverse("operation_retry", args=[op.pk]), {"request_key": "retry-key-0002"}, follow=True
    )
    assert "cannot be retried" in response.content.decode()
    assert Operation.objects.count() == 1


def test_another_teams_operation_is_a_404(client_for, alice, charlie, synced_site, enqueued):
    quick(client_for(alice), synced_site, "prefer", f"shop.{MANAGED_DOMAIN}")
    op = Operation.objects.get()
    outsider = client_for(charlie)
    assert outsider.get(reverse("operation_detail", args=[op.pk])).status_code == 404
    assert outsider.post(reverse("operation_cancel", args=[op.pk])).status_code == 404
    assert outsider.post(reverse("operation_retry", args=[op.pk])).status_code == 404
    assert list(outsider.get(reverse("operation_list")).context["page"].object_list) == []


def test_a_second_change_while_one_is_in_flight_is_refused(
    client_for, alice, synced_site, enqueued
):
    client = client_for(alice)
    quick(client, synced_site, "prefer", f"shop.{MANAGED_DOMAIN}")
    response = quick(client, synced_site, "remove", f"shop.{MANAGED_DOMAIN}")
    assert "still in progress" in response.content.decode()
    assert Operation.objects.count() == 1


def test_a_reloaded_failed_operation_cannot_be_retried_a_second_time(
    client_for, alice, synced_site, enqueued
):
    client = client_for(alice)
    quick(client, synced_site, "prefer", f"shop.{MANAGED_DOMAIN}")
    op = Operation.objects.get()
    client.post(reverse("operation_cancel", args=[op.pk]))
    first = client.post(reverse("operation_retry", args=[op.pk]), {"request_key": "retry-tab-0001"})
    retry = Operation.objects.get(retry_of=op)
    # The page was reloaded (a new request key), or opened in a second tab.
    again = client.post(
        reverse("operation_retry", args=[op.pk]), {"request_key": "retry-tab-0002"}, follow=True
    )
    assert Operation.objects.count() == 2
    assert first["Location"] == reverse("operation_detail", args=[retry.pk])
    assert again.redirect_chain[-1][0] == reverse("operation_detail", args=[retry.pk])
    assert f"already retried as #{retry.pk}" in again.content.decode()
    page = client.get(reverse("operation_detail", args=[op.pk])).content.decode()
    assert 'data-testid="retry"' not in page
    assert f'Retried as <a href="{reverse("operation_detail", args=[retry.pk])}">' in page


def test_a_proof_confirmed_after_another_vhost_change_does_not_undo_it(
    client_for, alice, synced_site, enqueued, simulator
):
    client = client_for(alice)
    quick(client, synced_site, "add", "shop.customer-domain.example")
    pending = PendingRequest.objects.get()
    # While the TXT record propagates, someone makes www the preferred vhost.
    quick(client, synced_site, "prefer", f"shop.{MANAGED_DOMAIN}")
    assert run_to_the_end(Operation.objects.get()).status == OperationStatus.DONE
    record = pending.records.get()
    simulator.publish_txt(record.txt_name, record.txt_value)
    client.post(reverse("verification_check", args=[pending.pk]))
    response = client.post(reverse("verification_confirm", args=[pending.pk]), follow=True)
    assert "changed since this request was made" in response.content.decode()
    assert Operation.objects.count() == 1
    synced_site.refresh_from_db()
    assert synced_site.vhost_names()[0] == f"shop.{MANAGED_DOMAIN}"


def test_an_upgrade_is_refused_when_the_price_changed_since_the_quote(
    client_for, alice, synced_site, enqueued
):
    client = client_for(alice)
    page = client.get(reverse("site_upgrade", args=[synced_site.pk]))
    quote = page.context["offers"][0]["price"]
    assert f'name="quoted_price" value="{quote.price}"' in page.content.decode()
    # The person accepted an older, lower price (Gandi's catalogue changed meanwhile).
    response = client.post(
        reverse("site_upgrade", args=[synced_site.pk]),
        {
            "package": "professional",
            "accept_quote": "on",
            "quoted_price": f"{quote.price - 1:.2f}",
            "quoted_currency": quote.currency,
            "request_key": "upgrade-key-price",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "The price changed" in text
    assert f"{quote.price:.2f} {quote.currency}" in text  # the new quote is shown
    assert not Operation.objects.exists()


def test_two_tabs_retrying_one_failure_make_one_new_operation(
    client_for, alice, synced_site, enqueued
):
    client = client_for(alice)
    quick(client, synced_site, "prefer", f"shop.{MANAGED_DOMAIN}")
    op = Operation.objects.get()
    client.post(reverse("operation_cancel", args=[op.pk]))
    keys = []
    for _tab in range(2):
        page = client.get(reverse("operation_detail", args=[op.pk]))
        keys.append(page.context["retry_key"])
    for key in keys:
        client.post(reverse("operation_retry", args=[op.pk]), {"request_key": key})
    assert Operation.objects.count() == 2


def test_saving_a_list_from_an_older_page_keeps_a_vhost_added_meanwhile(
    client_for, alice, synced_site, enqueued
):
    client = client_for(alice)
    stale_page = client.get(reverse("site_vhosts", args=[synced_site.pk]))
    # In another tab, blog is added and the change is done.
    quick(client, synced_site, "add", f"blog.{MANAGED_DOMAIN}")
    assert run_to_the_end(Operation.objects.get()).status == OperationStatus.DONE
    # The first tab, still showing the old list, makes shop the preferred vhost.
    form = stale_page.context["form"]
    shown = form.initial["vhosts"].splitlines()
    reordered = [f"shop.{MANAGED_DOMAIN}"] + [v for v in shown if v != f"shop.{MANAGED_DOMAIN}"]
    client.post(
        reverse("site_vhosts", args=[synced_site.pk]),
        {
            "vhosts": "\n".join(reordered),
            "based_on": form.initial["based_on"],
            "request_key": form.initial["request_key"],
        },
    )
    op = run_to_the_end(Operation.objects.latest("pk"))
    assert op.status == OperationStatus.DONE
    synced_site.refresh_from_db()
    assert synced_site.vhost_names()[0] == f"shop.{MANAGED_DOMAIN}"
    assert f"blog.{MANAGED_DOMAIN}" in synced_site.vhost_names()


def test_the_change_pages_say_when_a_change_is_already_in_flight(
    client_for, alice, synced_site, enqueued
):
    client = client_for(alice)
    for name in ("site_vhosts", "site_upgrade", "site_delete"):
        page = client.get(reverse(name, args=[synced_site.pk])).content.decode()
        assert 'data-testid="busy-notice"' not in page, name
    quick(client, synced_site, "prefer", f"shop.{MANAGED_DOMAIN}")
    op = Operation.objects.get()
    for name in ("site_vhosts", "site_upgrade", "site_delete"):
        page = client.get(reverse(name, args=[synced_site.pk])).content.decode()
        assert f'<a href="/operations/{op.pk}/">Change vhosts (#{op.pk})</a> is still in' in page

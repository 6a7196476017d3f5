"""Webhooks: every event reaches a subscribed URL as signed JSON (checked here with hmac,
independently of the portal's code), failures are retried with backoff and logged, nothing
goes to private addresses, and redirects are not followed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sites_app.models import (
    DeliveryStatus,
    OperationKind,
    OperationStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from sites_app.services import operations, webhooks
from tests.lifecycle.conftest import run_to_the_end
from tests.notifications.conftest import finished, request_create, verify_signature

pytestmark = pytest.mark.django_db
ALL = [event.value for event in WebhookEvent]


@pytest.fixture
def run_op(enqueued, notify_worker, django_capture_on_commit_callbacks):
    def run(op):
        op = finished(django_capture_on_commit_callbacks, run_to_the_end, op)
        notify_worker.run()
        return op

    return run


def test_a_done_create_sends_operation_finished_and_site_created_signed(
    hook, receiver, account, alice, run_op
):
    _, secret = hook
    op = run_op(request_create(account, alice, name="Bakery"))
    assert op.status == OperationStatus.DONE
    assert sorted(receiver.events()) == ["operation.finished", "site.created"]
    for received in receiver.received:
        assert verify_signature(secret, received)
        assert received.path == "/hooks/portal"
        assert received.headers["Content-Type"] == "application/json"
        body = received.json()
        assert received.headers["X-Portal-Event"] == body["type"]
        assert body["team"]["name"] == "Acme Web"
        assert body["data"]["operation"]["status"] == "done"
        assert body["data"]["site"]["name"] == "Bakery"
        assert body["data"]["operation"]["url"] == f"https://portal.example.com/operations/{op.pk}/"
    assert not verify_signature("whsec_wrong", receiver.received[0])
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_a_failed_operation_sends_operation_failed(
    hook, receiver, account, alice, run_op, simulator
):
    simulator.set_faults(op_error_rate=1.0)
    op = run_op(request_create(account, alice, name="Doomed"))
    assert op.status == OperationStatus.FAILED
    assert receiver.events() == ["operation.failed"]
    body = receiver.received[0].json()
    assert body["data"]["operation"]["message"].startswith("Gandi could not complete it")
    assert verify_signature(hook[1], receiver.received[0])


def test_a_done_delete_sends_site_deleted(hook, receiver, synced_site, alice, run_op):
    op, _ = operations.request_operation(
        account=synced_site.account,
        kind=OperationKind.DELETE,
        user=alice,
        params={"name": synced_site.name},
        idempotency_key="delete-bakery",
        site=synced_site,
    )
    run_op(op)
    assert sorted(receiver.events()) == ["operation.finished", "site.deleted"]
    deleted = next(r for r in receiver.received if r.json()["type"] == "site.deleted")
    assert deleted.json()["data"]["site"]["name"] == "Bakery"
    assert verify_signature(hook[1], deleted)


def test_an_expiring_site_sends_site_expiring(hook, receiver, synced_site, notify_worker):
    synced_site.paid_until = timezone.now() + timedelta(days=6, hours=12)
    synced_site.save(update_fields=["paid_until"])
    notify_worker.queue.append(("sites_app.notify_expiring_sites", ()))  # as beat sends it
    notify_worker.run()
    assert receiver.events() == ["site.expiring"]
    data = receiver.received[0].json()["data"]
    assert (data["site"]["name"], data["days_left"], data["threshold_days"]) == ("Bakery", 7, 7)
    assert verify_signature(hook[1], receiver.received[0])


def test_only_the_subscribed_events_are_sent(
    team, alice, receiver, webhook_settings, account, run_op
):
    webhooks.create_endpoint(
        team, url=receiver.url, description="", events=["site.created"], actor=alice
    )
    run_op(request_create(account, alice, name="Only"))
    assert receiver.events() == ["site.created"]


def queued(endpoint) -> WebhookDelivery:
    payload = webhooks.event_payload("site.created", endpoint.team, {"site": {"name": "X"}})
    return WebhookDelivery.objects.create(
        endpoint=endpoint, event="site.created", payload=payload, next_attempt_at=timezone.now()
    )


def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(
    hook, receiver, client_for, alice
):
    endpoint, secret = hook
    receiver.answers = [500, 503]
    delivery = queued(endpoint)
    assert webhooks.deliver(delivery.pk) == "will retry"
    delivery.refresh_from_db()
    first_wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < first_wait <= timedelta(seconds=60)
    assert webhooks.due_deliveries() == []  # not due yet: beat leaves it alone
    later = delivery.next_attempt_at + timedelta(seconds=1)
    assert webhooks.due_deliveries(later) == [delivery.pk]
    assert webhooks.deliver(delivery.pk) == "will retry"
    delivery.refresh_from_db()
    assert delivery.next_attempt_at - timezone.now() > timedelta(seconds=110)  # doubled
    assert webhooks.deliver(delivery.pk) == "delivered"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 3
    codes = list(delivery.attempt_log.order_by("pk").values_list("status_code", flat=True))
    assert codes == [500, 503, 200]
    assert all(verify_signature(secret, r) for r in receiver.received)
    # The same body each time, so the receiver can recognise the event by its id.
    assert len({r.json()["id"] for r in receiver.received}) == 1
    excerpts = [a.response_excerpt for a in delivery.attempt_log.all()]
    assert all(len(e) <= webhooks.EXCERPT for e in excerpts)  # never the whole answer
    page = client_for(alice).get(reverse("webhook_detail", args=[endpoint.pk])).content.decode()
    assert "HTTP 500" in page and "HTTP 503" in page and "HTTP 200" in page
    assert "Delivered" in page


def test_a_delivery_gives_up_after_a_day(hook, receiver):
    receiver.answers = [500]
    delivery = queued(hook[0])
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - timedelta(hours=23, minutes=59)
    )
    assert webhooks.deliver(delivery.pk) == "gave up"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "Answered 500."


def test_a_redirect_is_not_followed(hook, receiver):
    receiver.answers = [302]
    receiver.location = f"http://127.0.0.1:{receiver.port}/elsewhere"
    delivery = queued(hook[0])
    assert webhooks.deliver(delivery.pk) == "will retry"
    assert [r.path for r in receiver.received] == ["/hooks/portal"]  # no second request
    delivery.refresh_from_db()
    assert "redirect" in delivery.last_error


def test_a_paused_webhook_keeps_its_deliveries_until_it_is_resumed(hook, receiver):
    endpoint, _ = hook
    delivery = queued(endpoint)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    assert webhooks.due_deliveries() == []
    assert webhooks.deliver(delivery.pk) == "paused"
    assert receiver.received == []
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=True)
    assert webhooks.due_deliveries() == [delivery.pk]
    assert webhooks.deliver(delivery.pk) == "delivered"


def test_a_claimed_delivery_is_not_sent_twice_at_once(hook, receiver):
    delivery = queued(hook[0])
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        locked_until=timezone.now() + timedelta(seconds=60)
    )
    assert webhooks.deliver(delivery.pk) == "not due"
    assert webhooks.due_deliveries() == []
    assert receiver.received == []


def test_a_delivery_can_be_sent_again_from_the_page(
    hook, receiver, client_for, alice, notify_worker, django_capture_on_commit_callbacks
):
    endpoint, secret = hook
    delivery = queued(endpoint)
    webhooks.deliver(delivery.pk)
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("webhook_resend", args=[endpoint.pk, delivery.pk]))
    assert response.status_code == 302
    notify_worker.run()
    assert len(receiver.received) == 2
    first, again = receiver.received
    assert first.json()["id"] == again.json()["id"]  # the same event
    assert first.headers["X-Portal-Delivery"] != again.headers["X-Portal-Delivery"]
    assert verify_signature(secret, again)
    page = client.get(reverse("webhook_detail", args=[endpoint.pk])).content.decode()
    assert "re-sent" in page


# --- the secret --------------------------------------------------------------------------


def test_the_secret_is_shown_once_and_stored_encrypted(
    alice, client_for, webhook_settings, receiver
):
    client = client_for(alice)
    response = client.post(
        reverse("webhook_create"),
        {"url": receiver.url, "description": "ci", "events": ["site.created", "site.deleted"]},
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("whsec_") and secret in response.content.decode()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["site.created", "site.deleted"]
    assert secret not in endpoint.secret_encrypted and endpoint.secret() == secret
    for url in (
        reverse("webhook_list"),
        reverse("webhook_detail", args=[endpoint.pk]),
        reverse("webhook_edit", args=[endpoint.pk]),
    ):
        assert secret not in client.get(url).content.decode()
    # A new one on request, shown once too; the old one stops working.
    response = client.post(
        reverse("webhook_edit", args=[endpoint.pk]),
        {"url": receiver.url, "events": ["site.created"], "is_active": "on", "new_secret": "on"},
    )
    endpoint.refresh_from_db()
    assert response.context["secret"] == endpoint.secret() != secret


# --- SSRF ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://hooks.example.com/x", "must start with https://"),
        ("https://10.1.2.3/hook", "private address"),
        ("https://192.168.0.10/hook", "private address"),
        ("https://169.254.169.254/latest/meta-data/", "link-local address"),
        ("https://127.0.0.1/hook", "loopback address"),
        ("https://[::1]/hook", "loopback address"),
        ("https://[::ffff:10.0.0.1]/hook", "private address"),
        ("https://localhost/hook", "resolves to 127.0.0.1, a loopback address"),
        ("https://user:pw@hooks.example.com/x", "Leave user names and passwords out"),
    ],
)
def test_private_loopback_and_link_local_urls_are_refused(alice, client_for, settings, url, why):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    response = client_for(alice).post(
        reverse("webhook_create"), {"url": url, "events": ["site.created"]}
    )
    assert response.status_code == 200
    assert why in " ".join(response.context["form"].errors["url"])
    assert not WebhookEndpoint.objects.exists()


def test_the_address_is_checked_again_at_delivery_time(hook, receiver, settings):
    # Saved while allowed; then the rule applies (as when DNS now points somewhere private).
    settings.WEBHOOK_ALLOW_PRIVATE = False
    delivery = queued(hook[0])
    assert webhooks.deliver(delivery.pk) == "will retry"
    delivery.refresh_from_db()
    assert delivery.last_error == (
        "Refused: 127.0.0.1 is a loopback address: webhooks only call public addresses."
    )
    assert receiver.received == []


# --- HTTPS ----------------------------------------------------------------------------------


def test_an_https_receiver_is_called_on_the_checked_address_with_its_certificate_verified(
    tls_receiver, team, alice, webhook_settings, test_ca_bundle
):
    webhook_settings.WEBHOOK_CA_BUNDLE = test_ca_bundle
    good = tls_receiver("localhost")
    endpoint, secret = webhooks.create_endpoint(
        team, url=good.url, description="", events=ALL, actor=alice
    )
    assert webhooks.deliver(queued(endpoint).pk) == "delivered"
    assert good.received[0].headers["Host"] == f"localhost:{good.port}"
    assert verify_signature(secret, good.received[0])


def test_an_https_receiver_with_a_certificate_for_another_name_is_refused(
    tls_receiver, team, alice, webhook_settings, test_ca_bundle
):
    webhook_settings.WEBHOOK_CA_BUNDLE = test_ca_bundle
    impostor = tls_receiver("hooks.elsewhere.example")
    endpoint, _ = webhooks.create_endpoint(
        team, url=impostor.url, description="", events=ALL, actor=alice
    )
    delivery = queued(endpoint)
    assert webhooks.deliver(delivery.pk) == "will retry"
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("The TLS connection failed")
    assert impostor.received == []  # nothing was sent to it

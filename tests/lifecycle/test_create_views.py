"""Journey 3: the create form, its dry run, and the TXT verification page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sites_app.models import Operation, OperationKind, PendingRequest, Role
from tests.lifecycle.conftest import MANAGED_DOMAIN, gandi_operation_count, post_create

pytestmark = pytest.mark.django_db


def form_data(client, **changes) -> dict:
    page = client.get(reverse("site_create"))
    data = {
        "account": page.context["form"].fields["account"].choices[0][0],
        "name": "Corner shop",
        "provider": "basekit_whitelabel",
        "package": "personal",
        "duration": "3m",
        "vhosts": f"www.{MANAGED_DOMAIN}",
        "request_key": page.context["form"]["request_key"].value(),
    }
    data.update(changes)
    return data


def test_the_form_offers_gandis_packages(client_for, alice, account, simulator):
    page = client_for(alice).get(reverse("site_create"))
    packages = [value for value, _ in page.context["form"].fields["package"].choices]
    assert packages == ["personal", "professional", "business"]
    assert simulator.calls()["site.package.list"] == 1


def test_a_valid_request_becomes_a_queued_operation_and_the_view_sends_nothing(
    client_for, alice, account, simulator, enqueued, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_create(client, form_data(client))
    op = Operation.objects.get()
    assert response["Location"] == reverse("operation_detail", args=[op.pk])
    assert op.kind == OperationKind.CREATE
    assert op.params["vhosts"] == [f"www.{MANAGED_DOMAIN}"]
    # The view made the dry run only: Gandi has no operation yet.
    assert simulator.calls()["site.create"] == 1
    assert gandi_operation_count(account) == 0
    assert [(e.task, e.args) for e in enqueued] == [("sites_app.submit_operation", (op.pk,))]


def test_a_double_submit_makes_one_operation(client_for, alice, account, enqueued):
    client = client_for(alice)
    data = form_data(client)
    first = post_create(client, data)
    second = post_create(client, data)
    assert Operation.objects.count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "x" * 65}, "name", "at most 64"),
        ({"name": "   "}, "name", "required"),
        ({"vhosts": "not a host"}, "vhosts", "contains a space"),
        ({"vhosts": "www.exa_mple.com"}, "vhosts", "not a valid host name"),
        ({"vhosts": f"a.{MANAGED_DOMAIN}\nA.{MANAGED_DOMAIN}"}, "vhosts", "listed twice"),
        ({"vhosts": ("a" * 60 + ".") * 5 + "com"}, "vhosts", "too long"),
        ({"vhosts": ""}, "vhosts", "required"),
        ({"package": "platinum"}, "package", "valid choice"),
        ({"provider": "wix"}, "provider", "valid choice"),
        ({"duration": "48m"}, "duration", "valid choice"),
        ({"request_key": ""}, "request_key", "reload the page"),
        ({"account": "999999"}, "account", "valid choice"),
    ],
)
def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(
    client_for, alice, account, changes, field, message
):
    client = client_for(alice)
    data = form_data(client, **changes)
    response = post_create(client, data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    if changes.get("name", "").strip():
        assert data["name"] in response.content.decode()
    assert not Operation.objects.exists()


def test_upper_case_and_international_names_are_normalised(client_for, alice, account, enqueued):
    client = client_for(alice)
    post_create(
        client,
        form_data(client, vhosts=f"WWW.{MANAGED_DOMAIN.upper()}\nbücher.{MANAGED_DOMAIN}"),
    )
    op = Operation.objects.get()
    assert op.params["vhosts"] == [f"www.{MANAGED_DOMAIN}", f"xn--bcher-kva.{MANAGED_DOMAIN}"]


def test_gandis_dry_run_problems_show_next_to_the_field(client_for, alice, account, simulator):
    simulator_key = account.api_key()
    other = simulator.add_account()
    assert other != simulator_key
    client = client_for(alice)
    from sites_app.gandi.client import client_for as gandi_client

    parking = "taken.basekit-site.example"
    gandi_client(simulator.url, other).site_create(name="Taken", vhosts=[parking])
    response = post_create(client, form_data(client, vhosts=parking))
    assert response.status_code == 200
    assert "already used by another site" in " ".join(response.context["form"].errors["vhosts"])


def test_a_viewer_or_operator_cannot_create(client_for, member, account):
    for role in (Role.VIEWER, Role.OPERATOR):
        assert client_for(member(role)).get(reverse("site_create")).status_code == 403


def test_without_an_account_the_page_says_what_to_do(client_for, alice):
    response = client_for(alice).get(reverse("site_create"))
    assert "no Gandi account yet" in response.content.decode()


def test_a_foreign_domain_leads_to_the_txt_page_and_create_after_dns_shows_it(
    client_for, alice, account, simulator, enqueued
):
    client = client_for(alice)
    response = post_create(client, form_data(client, vhosts="www.my-own-domain.example"))
    pending = PendingRequest.objects.get()
    assert response["Location"] == reverse("verification_detail", args=[pending.pk])
    record = pending.records.get()
    assert record.txt_name == "www.my-own-domain.example"
    assert record.txt_value.startswith("vhost=")
    page = client.get(response["Location"]).content.decode()
    for text in [record.txt_name, record.txt_value, "10800", "TXT", "Check DNS now"]:
        assert text in page
    assert 'data-copy="' + record.txt_value + '"' in page

    # Confirming too early is refused, and says why.
    early = client.post(reverse("verification_confirm", args=[pending.pk]), follow=True)
    assert "DNS does not show every TXT record yet" in early.content.decode()
    assert not Operation.objects.exists()

    client.post(reverse("verification_check", args=[pending.pk]))
    record.refresh_from_db()
    assert not record.seen
    assert record.last_answer  # what DNS said, e.g. NXDOMAIN

    simulator.publish_txt(record.txt_name, record.txt_value)
    fragment = client.post(
        reverse("verification_check", args=[pending.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Seen in DNS" in fragment
    assert record.txt_value in fragment
    response = client.post(reverse("verification_confirm", args=[pending.pk]))
    op = Operation.objects.get()
    assert response["Location"] == reverse("operation_detail", args=[op.pk])
    assert op.params["vhosts"] == ["www.my-own-domain.example"]
    # A second confirm (double click) is the same operation.
    client.post(reverse("verification_confirm", args=[pending.pk]))
    assert Operation.objects.count() == 1


def test_a_proof_confirmed_after_gandi_raised_its_price_is_refused_on_the_page(
    client_for, alice, account, simulator, enqueued, monkeypatch
):
    from tests.lifecycle.test_create_quote import raise_price

    client = client_for(alice)
    post_create(client, form_data(client, vhosts="www.my-own-domain.example"))
    pending = PendingRequest.objects.get()
    record = pending.records.get()
    simulator.publish_txt(record.txt_name, record.txt_value)
    client.post(reverse("verification_check", args=[pending.pk]))
    raise_price(monkeypatch, account)

    page = client.post(reverse("verification_confirm", args=[pending.pk]), follow=True)
    text = page.content.decode()
    # 3 months at Gandi's new 6.99 a month, against the 3 times 4.99 confirmed at create time
    assert "Not sent: Gandi&#x27;s price is now 20.97 EUR" in text
    assert "more than the 14.97 EUR you confirmed. Nothing was bought." in text
    assert "Abandon this request, then create it again." in text
    assert page.request["PATH_INFO"] == reverse("verification_detail", args=[pending.pk])
    assert not Operation.objects.exists()  # nothing bought, nothing queued


def test_the_background_recheck_marks_published_records_seen(client_for, alice, account, simulator):
    from datetime import timedelta

    from django.utils import timezone

    from sites_app.services import verification

    client = client_for(alice)
    post_create(client, form_data(client, vhosts="blog.elsewhere.example"))
    pending = PendingRequest.objects.get()
    record = pending.records.get()
    simulator.publish_txt(record.txt_name, record.txt_value)
    PendingRequest.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))
    assert verification.recheck_due() == 1
    pending.refresh_from_db()
    assert pending.status == PendingRequest.Status.READY


def test_another_teams_verification_is_a_404(client_for, alice, charlie, account):
    client = client_for(alice)
    post_create(client, form_data(client, vhosts="www.secret.example"))
    pending = PendingRequest.objects.get()
    outsider = client_for(charlie)
    assert outsider.get(reverse("verification_detail", args=[pending.pk])).status_code == 404
    assert outsider.post(reverse("verification_confirm", args=[pending.pk])).status_code == 404
    assert outsider.post(reverse("verification_check", args=[pending.pk])).status_code == 404

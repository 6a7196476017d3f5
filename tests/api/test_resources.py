"""The API's resources and changes, on the simulator, through the pages' services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sites_app.gandi.simulator import PARKING_DOMAIN
from sites_app.models import ApiToken, Operation, OperationStatus, Role, Site
from sites_app.services.quotes import create_quote
from tests.api.conftest import MANAGED_DOMAIN, api_client, make_token, run_to_the_end

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(alice, team, account):
    _row, token = make_token(alice, team)
    return api_client(token)


def problem(response) -> dict:
    assert response["Content-Type"] == "application/problem+json", response.content[:300]
    return response.json()


def create(api, account, name="Api shop", key=None, confirm=True, **extra):
    body = {
        "account": account.pk,
        "name": name,
        "package": "personal",
        "vhosts": [f"www.{MANAGED_DOMAIN}"],
        **extra,
    }
    if confirm and "quoted_price" not in body:  # as a client does: the price it was shown
        quote = create_quote(account, provider="basekit_whitelabel", package="personal",
                             duration=body.get("duration", "1m"))  # fmt: skip
        body.update(quoted_price=round(quote.total, 2), quoted_currency=quote.currency)
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post(reverse("api:site-list"), body, format="json", **headers)


def test_create_without_the_price_answers_409_with_the_price_to_echo(api, account, enqueued):
    response = create(api, account, confirm=False)
    assert response.status_code == 409
    body = problem(response)
    assert body["code"] == "price_required"
    quote = create_quote(account, provider="basekit_whitelabel", package="personal", duration="1m")
    assert body["quote"] == {"price": round(quote.total, 2), "currency": quote.currency}
    assert quote.words() in body["detail"]
    assert not Operation.objects.exists()  # nothing is bought before the price is confirmed


def test_create_with_a_price_that_is_not_gandis_is_refused(api, account, enqueued):
    response = create(api, account, quoted_price=0.01, quoted_currency="EUR")
    assert response.status_code == 409
    assert problem(response)["code"] == "price_changed"
    assert not Operation.objects.exists()


def test_a_confirmed_create_keeps_its_price_for_the_check_before_sending(api, account, enqueued):
    response = create(api, account)
    assert response.status_code == 202, response.content
    op = Operation.objects.get()
    quote = create_quote(account, provider="basekit_whitelabel", package="personal", duration="1m")
    assert (op.params["price"], op.params["currency"]) == (round(quote.total, 2), quote.currency)


def test_create_answers_202_with_the_operation_and_a_resend_is_the_same(api, account, enqueued):
    first = create(api, account, key="create-api-shop-1")
    assert first.status_code == 202, first.content
    assert first["Location"].endswith(
        reverse("api:operation-detail", args=[first.json()["operation"]["id"]])
    )
    assert first.json()["created"] is True
    again = create(api, account, key="create-api-shop-1")
    assert again.status_code == 202 and again.json()["created"] is False
    assert again.json()["operation"]["id"] == first.json()["operation"]["id"]
    assert Operation.objects.count() == 1
    # The same key from another token is another request.
    other = make_token(account.team.memberships.get(role=Role.OWNER).user, account.team)[1]
    third = create(
        api_client(other),
        account,
        name="Other shop",
        key="create-api-shop-1",
        vhosts=[f"other.{MANAGED_DOMAIN}"],  # a vhost already asked for is refused
    )
    assert (
        third.status_code == 202
        and third.json()["operation"]["id"] != first.json()["operation"]["id"]
    )


def test_gandi_dry_run_problems_are_field_errors(api, account, enqueued):
    response = create(api, account, package="no-such-package")
    assert response.status_code == 400
    body = problem(response)
    assert body["errors"] and Operation.objects.count() == 0


def test_a_vhost_on_an_unmanaged_domain_asks_for_the_txt_record(api, account, enqueued):
    response = create(api, account, vhosts=["www.not-managed.example"])
    assert response.status_code == 409
    body = problem(response)
    assert body["code"] == "ownership_proof_required"
    assert body["records"][0]["type"] == "TXT" and body["records"][0]["value"]
    assert "/verification/" in body["verification_url"] or body["verification_url"]
    assert Operation.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        {"account": "x", "name": 5, "package": [], "vhosts": "a"},
        {"account": 10**30, "name": "n", "package": "personal", "vhosts": ["a.example"]},
        {"account": 1, "name": "n" * 500, "package": "personal", "vhosts": ["a." * 200]},
        {"account": 1, "name": "n", "package": "personal", "vhosts": [], "unknown": 1},
        {"account": 1, "name": "\x00", "package": "personal", "vhosts": ["-bad-.example"]},
        [],
        "a string",
    ],
)
def test_bad_input_is_a_400_problem_with_field_errors(api, account, body):
    response = api.post(reverse("api:site-list"), body, format="json")
    assert response.status_code == 400, response.content
    assert problem(response)["errors"]


def test_malformed_json_and_huge_ids_are_problems_not_500s(api, account):
    response = api.post(reverse("api:site-list"), "{not json", content_type="application/json")
    assert response.status_code == 400 and problem(response)["status"] == 400
    huge = api.get(f"/api/v1/sites/{10**25}/")
    assert huge.status_code == 404 and problem(huge)["status"] == 404
    assert api.get("/api/v1/no-such-thing/").status_code == 404
    bad = api.get(reverse("api:site-list"), {"expiring": "99999999999999999999", "sort": "x"})
    assert bad.status_code == 400
    assert {e["field"] for e in problem(bad)["errors"]} == {"expiring", "sort"}
    cursor = api.get(reverse("api:site-list"), {"cursor": "garbage", "page_size": "10**9"})
    assert cursor.status_code == 404 and problem(cursor)["detail"]


def test_list_search_filter_sort_and_cursor_pages(api, account, team):
    for index in range(5):
        Site.objects.create(
            account=account,
            gandi_id=100 + index,
            name=f"Shop {index}",
            package="business" if index % 2 else "personal",
            state="active",
            preferred_vhost=f"shop{index}.{PARKING_DOMAIN}",
        )
    url = reverse("api:site-list")
    page = api.get(url, {"page_size": 2, "sort": "-name"}).json()
    assert [s["name"] for s in page["results"]] == ["Shop 4", "Shop 3"]
    second = api.get(page["next"]).json()
    assert [s["name"] for s in second["results"]] == ["Shop 2", "Shop 1"]
    assert [s["name"] for s in api.get(url, {"package": "business"}).json()["results"]] == [
        "Shop 1",
        "Shop 3",
    ]
    assert [s["name"] for s in api.get(url, {"q": "Shop 3"}).json()["results"]] == ["Shop 3"]
    by_date = api.get(url, {"sort": "paid_until", "page_size": 2}).json()
    assert len(by_date["results"]) == 2 and api.get(by_date["next"]).status_code == 200


def test_detail_has_the_vhosts_and_another_teams_site_is_404(api, synced_site, other_team, charlie):
    body = api.get(reverse("api:site-detail", args=[synced_site.pk])).json()
    assert [v["name"] for v in body["vhosts"]] == synced_site.vhost_names()
    _row, token = make_token(charlie, other_team)
    outsider = api_client(token).get(reverse("api:site-detail", args=[synced_site.pk]))
    assert outsider.status_code == 404 and problem(outsider)["status"] == 404


def test_vhosts_upgrade_and_delete_each_write_one_operation(api, synced_site, enqueued):
    site = synced_site
    vhosts = [*site.vhost_names(), f"blog.{MANAGED_DOMAIN}"]
    url = reverse("api:site-vhosts", args=[site.pk])
    response = api.put(url, {"vhosts": vhosts}, format="json")
    assert response.status_code == 202, response.content
    op = Operation.objects.get(pk=response.json()["operation"]["id"])
    assert op.kind == "update_vhosts" and op.params["vhosts"] == vhosts
    busy = api.put(url, {"vhosts": vhosts}, format="json")
    assert busy.status_code == 409 and "in progress" in problem(busy)["detail"]
    Operation.objects.filter(pk=op.pk).update(status=OperationStatus.DONE)

    offers = api.get(reverse("api:site-upgrade", args=[site.pk])).json()
    offer = offers[0]
    upgrade = reverse("api:site-upgrade", args=[site.pk])
    cheap = {
        "package": offer["package"],
        "quoted_price": offer["price"] + 1,
        "quoted_currency": offer["currency"],
    }
    changed = api.post(upgrade, cheap, format="json")
    assert changed.status_code == 409 and problem(changed)["code"] == "price_changed"
    quote = {**cheap, "quoted_price": offer["price"]}
    response = api.post(upgrade, quote, format="json")
    assert response.status_code == 202, response.content
    Operation.objects.filter(kind="upgrade").update(status=OperationStatus.DONE)

    detail = reverse("api:site-detail", args=[site.pk])
    wrong = api.delete(detail, {"confirm_name": "bakery"}, format="json")
    assert wrong.status_code == 400 and problem(wrong)["errors"][0]["field"] == "confirm_name"
    response = api.delete(detail, {"confirm_name": site.name}, format="json")
    assert response.status_code == 202
    assert Operation.objects.filter(kind="delete").count() == 1


def test_cancel_and_retry(api, account, enqueued, alice):
    op = Operation.objects.get(pk=create(api, account).json()["operation"]["id"])
    response = api.post(reverse("api:operation-cancel", args=[op.pk]))
    assert response.status_code == 202 and response.json()["operation"]["status"] == "cancelled"
    again = api.post(reverse("api:operation-cancel", args=[op.pk]))
    assert again.status_code == 409
    retry = api.post(reverse("api:operation-retry", args=[op.pk]))
    assert retry.status_code == 202 and retry.json()["created"] is True
    twice = api.post(reverse("api:operation-retry", args=[op.pk]))
    assert twice.json()["operation"]["id"] == retry.json()["operation"]["id"]
    listed = api.get(reverse("api:operation-list"), {"status": "cancelled"}).json()["results"]
    assert [o["id"] for o in listed] == [op.pk]


def test_accounts_never_show_the_key_and_can_be_tested(api, account):
    body = api.get(reverse("api:account-list")).json()
    assert body[0]["name"] == account.name
    assert account.api_key() not in str(body) and "key" not in str(list(body[0]))
    result = api.post(reverse("api:account-test", args=[account.pk])).json()
    assert result["ok"] is True


def test_members_and_audit_events(api, team, alice, member):
    member(Role.VIEWER)
    names = [m["username"] for m in api.get(reverse("api:member-list")).json()]
    assert names == ["alice", "viewer1"]
    api.post(reverse("api:site-list"), {}, format="json")
    events = api.get(reverse("api:audit-list"), {"action": "api.write"}).json()["results"]
    assert events and events[0]["actor"] == "alice"


def test_the_worker_side_runs_an_api_create_to_done(api, account, enqueued):
    op = Operation.objects.get(pk=create(api, account).json()["operation"]["id"])
    assert run_to_the_end(op).status == OperationStatus.DONE
    body = api.get(reverse("api:operation-detail", args=[op.pk])).json()
    assert body["status"] == "done" and body["progress"] == 100


def test_read_token_reads(alice, team, account):
    _row, token = make_token(alice, team, ApiToken.Access.READ)
    assert api_client(token).get(reverse("api:site-list")).status_code == 200

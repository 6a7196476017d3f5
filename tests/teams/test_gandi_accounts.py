"""Gandi accounts: the key is checked on save, stored encrypted, never shown again."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sites_app.gandi.errors import InvalidKeyError
from sites_app.models import AuditEvent, GandiAccount, Role

# The simulator listens on plain http on loopback, which custom endpoints accept only in DEBUG.
pytestmark = pytest.mark.usefixtures("loopback_http")

CLOSED_PORT_URL = "http://127.0.0.1:9/xmlrpc/"  # nothing listens on the discard port
UNREACHABLE = f"Could not reach Gandi at {CLOSED_PORT_URL}"


def form(simulator, key: str, **extra) -> dict:
    data = {"name": "Main account", "endpoint": "custom", "custom_url": simulator.url}
    return {**data, "api_key": key, **extra}


def test_a_good_key_is_checked_and_saved_encrypted(alice, client_for, simulator):
    key = simulator.add_account()
    response = client_for(alice).post(reverse("gandi_account_create"), form(simulator, key))
    assert response.status_code == 302
    account = GandiAccount.objects.get()
    assert account.api_key() == key
    assert key not in account.api_key_encrypted
    assert account.key_hint == key[-4:]
    assert account.last_success_at is not None
    assert simulator.calls()["version.info"] >= 1
    assert simulator.calls()["site.count"] >= 1
    event = AuditEvent.objects.get(action="gandi_account.add")
    assert key not in str(event.detail)


def test_a_bad_key_gets_gandis_plain_message_and_keeps_the_rest(alice, client_for, simulator):
    bad_key = "WRONGkey0123456789abcdef"
    response = client_for(alice).post(reverse("gandi_account_create"), form(simulator, bad_key))
    html = response.content.decode()
    assert response.status_code == 200
    assert InvalidKeyError.default_message in html
    assert 'value="Main account"' in html and simulator.url in html
    assert bad_key not in html  # the key field comes back empty
    assert not GandiAccount.objects.exists()


def test_an_unreachable_endpoint_gets_its_own_message(alice, client_for, simulator):
    key = simulator.add_account()
    data = form(simulator, key, custom_url=CLOSED_PORT_URL)
    html = client_for(alice).post(reverse("gandi_account_create"), data).content.decode()
    assert UNREACHABLE in html
    assert InvalidKeyError.default_message not in html
    assert key not in html
    assert not GandiAccount.objects.exists()


def test_a_custom_endpoint_needs_a_url(alice, client_for):
    data = {"name": "X", "endpoint": "custom", "custom_url": "", "api_key": "abcdefghij"}
    response = client_for(alice).post(reverse("gandi_account_create"), data)
    assert "Enter the URL of the custom endpoint" in response.content.decode()


def test_two_accounts_of_a_team_cannot_share_a_name(alice, client_for, sim_account, simulator):
    sim_account("Main account")
    key = simulator.add_account()
    response = client_for(alice).post(reverse("gandi_account_create"), form(simulator, key))
    assert "already has an account with this name" in response.content.decode()


def test_the_list_shows_only_the_last_four_characters(alice, client_for, sim_account):
    account, key = sim_account()
    html = client_for(alice).get(reverse("gandi_accounts")).content.decode()
    assert f"…{key[-4:]}" in html
    assert key not in html
    edit = client_for(alice).get(reverse("gandi_account_edit", args=[account.pk])).content.decode()
    assert key[-4:] in edit and key not in edit


def test_an_empty_key_field_keeps_the_key(alice, client_for, sim_account, simulator):
    account, key = sim_account()
    data = form(simulator, "", name="Renamed")
    client_for(alice).post(reverse("gandi_account_edit", args=[account.pk]), data)
    account.refresh_from_db()
    assert account.name == "Renamed"
    assert account.api_key() == key


def test_a_replaced_key_is_checked_before_it_is_stored(alice, client_for, sim_account, simulator):
    account, old_key = sim_account()
    url = reverse("gandi_account_edit", args=[account.pk])
    html = client_for(alice).post(url, form(simulator, "WRONGkey0123456789abcdef")).content.decode()
    assert InvalidKeyError.default_message in html
    account.refresh_from_db()
    assert account.api_key() == old_key
    new_key = simulator.add_account()
    client_for(alice).post(url, form(simulator, new_key))
    account.refresh_from_db()
    assert account.api_key() == new_key
    event = AuditEvent.objects.get(action="gandi_account.key_replace")
    assert event.detail == {"old_key_hint": old_key[-4:], "key_hint": new_key[-4:]}


def test_test_connection_records_the_last_success(alice, client_for, sim_account):
    account, _ = sim_account()
    response = client_for(alice).post(reverse("gandi_account_test", args=[account.pk]), follow=True)
    assert "the connection works" in response.content.decode()
    account.refresh_from_db()
    assert account.last_success_at is not None


def test_test_connection_shows_why_it_fails(alice, client_for, sim_account):
    account, _ = sim_account()
    account.custom_url = CLOSED_PORT_URL
    account.save()
    response = client_for(alice).post(reverse("gandi_account_test", args=[account.pk]), follow=True)
    assert UNREACHABLE in response.content.decode()
    account.refresh_from_db()
    assert account.last_success_at is None
    assert account.last_check_error.startswith(UNREACHABLE)


def test_removing_an_account_asks_for_its_name(alice, client_for, sim_account):
    account, _ = sim_account()
    url = reverse("gandi_account_delete", args=[account.pk])
    response = client_for(alice).post(url, {"confirm_name": "nope"})
    assert "Type the account" in response.content.decode()
    assert GandiAccount.objects.exists()
    client_for(alice).post(url, {"confirm_name": account.name})
    assert not GandiAccount.objects.exists()
    assert AuditEvent.objects.filter(action="gandi_account.remove").exists()


def test_an_operator_may_test_but_not_edit(member, client_for, sim_account):
    account, _ = sim_account()
    operator = client_for(member(Role.OPERATOR))
    assert operator.post(reverse("gandi_account_test", args=[account.pk])).status_code == 302
    assert operator.get(reverse("gandi_account_edit", args=[account.pk])).status_code == 403


def test_an_account_with_operations_in_flight_is_not_removed(alice, client_for, sim_account):
    from sites_app.models import Operation

    account, _ = sim_account()
    Operation.objects.create(
        account=account,
        kind="create",
        status="in_progress",
        idempotency_key="k1",
        deadline=timezone.now() + timedelta(hours=1),
    )
    url = reverse("gandi_account_delete", args=[account.pk])
    response = client_for(alice).post(url, {"confirm_name": account.name}, follow=True)
    assert "still in progress at Gandi" in response.content.decode()
    assert GandiAccount.objects.filter(pk=account.pk).exists()


def test_the_same_key_cannot_be_added_twice_to_a_team(alice, client_for, sim_account, simulator):
    _, key = sim_account("Main account")
    response = client_for(alice).post(
        reverse("gandi_account_create"), form(simulator, key, name="Same again")
    )
    assert response.status_code == 200
    assert "already has this key on this endpoint, as “Main account”" in response.content.decode()
    assert GandiAccount.objects.count() == 1
    assert key not in response.content.decode()


def test_a_key_another_team_holds_is_refused_without_naming_the_team(
    client_for, charlie, sim_account, simulator, team
):
    """One Gandi account, one portal account: the same Gandi site mirrored in two teams could
    be upgraded from both at once (two charges) or deleted under the other's feet."""
    _, key = sim_account("Main account")
    response = client_for(charlie).post(reverse("gandi_account_create"), form(simulator, key))
    assert response.status_code == 200
    page = response.content.decode()
    assert "already connected to the portal, in another team" in page
    assert "Ask an owner of that team to invite you" in page
    assert team.name not in page and key not in page  # who holds it is not told
    assert 'value="Main account"' in page  # what was typed is kept (but the key)
    assert GandiAccount.objects.count() == 1


def test_the_same_key_at_another_endpoint_is_another_gandi_account(
    client_for, charlie, sim_account, simulator
):
    _, key = sim_account("Main account")
    elsewhere = form(simulator, key, custom_url=simulator.url.replace("127.0.0.1", "localhost"))
    response = client_for(charlie).post(reverse("gandi_account_create"), elsewhere)
    assert response.status_code == 302
    assert GandiAccount.objects.count() == 2


def test_a_key_added_after_the_forms_check_is_still_refused_by_the_database(
    charlie, team, simulator, alice
):
    """The form's check and the save are not one step: the database's constraint decides."""
    from sites_app.models import Endpoint, Team
    from sites_app.services import gandi_accounts as account_service

    key = simulator.add_account()
    first = GandiAccount(team=team, name="A", endpoint=Endpoint.CUSTOM, custom_url=simulator.url)
    first.set_api_key(key)
    first.save()
    other = Team.objects.get(memberships__user=charlie)
    with pytest.raises(account_service.KeyInUse):  # as if its form's check ran just before
        account_service.add_account(
            other, name="B", endpoint=Endpoint.CUSTOM, custom_url=simulator.url,
            api_key=key, actor=charlie,
        )  # fmt: skip
    assert GandiAccount.objects.count() == 1

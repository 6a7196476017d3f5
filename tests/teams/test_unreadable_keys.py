"""A key no configured encryption key can read gets a plain message, never a 500."""

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse

from sites_app.models import AuditEvent, Endpoint, GandiAccount

pytestmark = pytest.mark.usefixtures("gandi_settings")

UNREADABLE = (
    "This key was stored with an encryption key that is no longer configured; enter the key again."
)


@pytest.fixture
def unreadable_account(team, simulator, settings):
    """An account whose key was encrypted with an encryption key since dropped from settings."""
    key = simulator.add_account()
    account = GandiAccount(team=team, name="Main", endpoint=Endpoint.SIMULATOR)
    account.set_api_key(key)
    account.save()
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    return account, key


def test_testing_an_unreadable_key_says_to_enter_it_again(alice, client_for, unreadable_account):
    account, _ = unreadable_account
    url = reverse("gandi_account_test", args=[account.pk])
    response = client_for(alice).post(url, follow=True)
    assert response.status_code == 200
    assert UNREADABLE in response.content.decode()
    account.refresh_from_db()
    assert account.last_check_error == UNREADABLE
    assert AuditEvent.objects.get(action="gandi_account.test").outcome == "failure"


def test_the_edit_page_of_an_unreadable_key_asks_for_the_key(alice, client_for, unreadable_account):
    account, _ = unreadable_account
    url = reverse("gandi_account_edit", args=[account.pk])
    assert UNREADABLE in client_for(alice).get(url).content.decode()
    response = client_for(alice).post(url, {"name": "Renamed", "endpoint": "simulator"})
    assert response.status_code == 200
    assert UNREADABLE in response.content.decode()


def test_entering_the_key_again_makes_the_account_work(alice, client_for, unreadable_account):
    account, key = unreadable_account
    url = reverse("gandi_account_edit", args=[account.pk])
    data = {"name": "Main", "endpoint": "simulator", "api_key": key}
    assert client_for(alice).post(url, data).status_code == 302
    account.refresh_from_db()
    assert account.api_key() == key
    test = reverse("gandi_account_test", args=[account.pk])
    assert "the connection works" in client_for(alice).post(test, follow=True).content.decode()

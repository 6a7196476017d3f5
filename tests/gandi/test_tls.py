"""HTTPS to Gandi: the simulator behind TLS on loopback, with a test CA.

A certificate the client trusts (GANDI_CA_BUNDLE names the test CA) works end to end; a
self-signed, expired or wrong-host certificate is refused with a plain message, and nothing
is sent: the simulator records no call.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from sites_app.gandi import errors
from sites_app.gandi.client import client_for as portal_client
from sites_app.models import GandiAccount

from .conftest import quick_client

REFUSED = {
    "self_signed": "self-signed certificate",
    "expired": "certificate has expired",
    "wrong_host": "mismatch, certificate is not valid for '127.0.0.1'",
}


def test_a_certificate_from_the_trusted_ca_works(tls_simulator, test_ca_bundle):
    simulator = tls_simulator("valid")
    key = simulator.add_account()
    client = quick_client(simulator.url, key, ca_bundle=test_ca_bundle)

    assert simulator.url.startswith("https://127.0.0.1:")
    assert client.site_count() == 0
    assert simulator.calls()["site.count"] == 1


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_a_bad_certificate_is_refused_and_nothing_is_sent(kind, tls_simulator, test_ca_bundle):
    simulator = tls_simulator(kind)
    key = simulator.add_account()
    client = quick_client(simulator.url, key, ca_bundle=test_ca_bundle)

    with pytest.raises(errors.CertificateError) as caught:
        client.site_count()
    with pytest.raises(errors.CertificateError):
        client.site_delete(1)  # a mutation is refused the same way, before anything leaves

    message = caught.value.message
    assert f"The certificate of {simulator.url} is not trusted" in message
    assert REFUSED[kind] in message
    assert "nothing was sent" in message
    assert key not in message and key not in caught.value.support_text()
    assert sum(simulator.calls().values()) == 0


def test_the_system_cas_do_not_trust_the_test_ca(tls_simulator, settings):
    settings.GANDI_CA_BUNDLE = ""
    simulator = tls_simulator("valid")
    key = simulator.add_account()

    with pytest.raises(errors.CertificateError) as caught:
        portal_client(simulator.url, key, timeout=2).site_count()
    assert "unable to get local issuer certificate" in caught.value.message
    assert sum(simulator.calls().values()) == 0


@pytest.mark.django_db
def test_an_account_on_an_https_endpoint_is_added_and_tested(
    tls_simulator, test_ca_bundle, settings, alice, client_for
):
    settings.GANDI_CA_BUNDLE = test_ca_bundle
    simulator = tls_simulator("valid")
    key = simulator.add_account()
    client = client_for(alice)
    data = {"name": "TLS", "endpoint": "custom", "custom_url": simulator.url, "api_key": key}

    assert client.post(reverse("gandi_account_create"), data).status_code == 302
    account = GandiAccount.objects.get()
    assert account.client().version_info()
    assert simulator.calls()["site.count"] >= 1


@pytest.mark.django_db
def test_adding_an_account_behind_an_expired_certificate_says_why(
    tls_simulator, test_ca_bundle, settings, alice, client_for
):
    settings.GANDI_CA_BUNDLE = test_ca_bundle
    simulator = tls_simulator("expired")
    key = simulator.add_account()
    data = {"name": "TLS", "endpoint": "custom", "custom_url": simulator.url, "api_key": key}

    html = client_for(alice).post(reverse("gandi_account_create"), data).content.decode()
    assert "is not trusted (certificate has expired)" in html
    assert not GandiAccount.objects.exists()
    assert sum(simulator.calls().values()) == 0

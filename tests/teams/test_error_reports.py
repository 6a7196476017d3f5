"""An error report (the page or email staff get for a 500) never contains an API key.

Reports are built the way Django builds them for ADMINS: ExceptionReporter with the
default SafeExceptionReporterFilter, which cleanses what views and functions mark sensitive.
"""

import sys

import pytest
from django.core.signals import got_request_exception
from django.urls import reverse
from django.views.debug import ExceptionReporter

from sites_app.gandi.client import GandiClient, client_for
from sites_app.models import Endpoint
from sites_app.services import gandi_accounts as account_service

# The filter cleanses only outside DEBUG (in DEBUG the developer sees everything), so these
# tests use the simulator endpoint, not a plain-http custom URL that only DEBUG accepts.
pytestmark = pytest.mark.usefixtures("gandi_settings")


def report(request) -> str:
    reporter = ExceptionReporter(request, *sys.exc_info())
    return reporter.get_traceback_text() + reporter.get_traceback_html()


@pytest.fixture
def reports(monkeypatch):
    """Make every call to Gandi crash unexpectedly; collect the error reports of the 500s."""

    def crash(self):
        raise RuntimeError("something unexpected inside the Gandi client")

    monkeypatch.setattr(GandiClient, "version_info", crash)
    collected: list[str] = []

    def on_exception(sender, request, **kwargs):
        collected.append(report(request))

    got_request_exception.connect(on_exception)
    yield collected
    got_request_exception.disconnect(on_exception)


def post_and_report(client, url, data, reports) -> str:
    client.raise_request_exception = False
    assert client.post(url, data).status_code == 500
    assert len(reports) == 1
    assert "something unexpected inside the Gandi client" in reports[0]
    return reports[0]


def test_a_crash_while_adding_an_account_reports_no_key(alice, client_for, simulator, reports):
    key = simulator.add_account()
    data = {"name": "Main", "endpoint": "simulator", "api_key": key}
    text = post_and_report(client_for(alice), reverse("gandi_account_create"), data, reports)
    assert key not in text
    assert "api_key" in text  # the report still says there was one


def test_a_crash_while_replacing_a_key_reports_neither_key(
    alice, client_for, sim_account, simulator, reports
):
    account, old_key = sim_account()
    account.endpoint, account.custom_url = Endpoint.SIMULATOR, ""
    account.save()
    new_key = simulator.add_account()
    data = {"name": account.name, "endpoint": "simulator"}
    url = reverse("gandi_account_edit", args=[account.pk])
    text = post_and_report(client_for(alice), url, {**data, "api_key": new_key}, reports)
    assert new_key not in text and old_key not in text


def test_a_crash_while_testing_the_connection_reports_no_key(
    alice, client_for, sim_account, reports
):
    account, key = sim_account()
    url = reverse("gandi_account_test", args=[account.pk])
    text = post_and_report(client_for(alice), url, {}, reports)
    assert key not in text


def report_below_this_test(exc: BaseException) -> str:
    """The report of `exc` from the code under test down: this test's own frames hold the key."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    exc.__traceback__ = tb
    reporter = ExceptionReporter(None, type(exc), exc, tb)
    return reporter.get_traceback_text() + reporter.get_traceback_html()


def test_a_crash_inside_client_for_reports_no_key(settings):
    key = "SECRETkey0123456789abcdef"
    settings.GANDI_TIMEOUT = "twenty"  # a misconfiguration that fails inside client_for
    with pytest.raises(TypeError) as raised:
        client_for("https://rpc.example.net/xmlrpc/", key)
    text = report_below_this_test(raised.value)
    assert "client_for" in text
    assert key not in text


def test_a_crash_inside_check_key_reports_no_key(settings):
    key = "SECRETkey0123456789abcdef"
    settings.GANDI_VIEW_TIMEOUT = "five"
    with pytest.raises(TypeError) as raised:
        account_service.check_key("https://rpc.example.net/xmlrpc/", key)
    text = report_below_this_test(raised.value)
    assert "check_key" in text
    assert key not in text

"""The API key never shows: not in a repr, an error's text, args, support text, pickle or
traceback (even with local variables), nor in any log line, whatever went wrong."""

from __future__ import annotations

import logging
import pickle
import traceback
from functools import partial

import pytest
import redis

from sites_app.gandi import errors
from sites_app.gandi.ratelimit import RateLimiter

from .conftest import quick_client
from .endpoint import BILLION_LAUGHS, Reply, closed_port_url, fault_reply

PARKING = "basekit-site.example"


def _revoked(simulator, key, endpoint):
    simulator.revoke_account(key)
    return quick_client(simulator.url, key).site_count


def _not_found(simulator, key, endpoint):
    return partial(quick_client(simulator.url, key).site_info, 404)


def _bad_input(simulator, key, endpoint):
    return partial(quick_client(simulator.url, key).site_create, name="", vhosts=["x y"])


def _no_credit(simulator, key, endpoint):
    broke = simulator.add_account(key[::-1], credit=0)
    client = quick_client(simulator.url, broke)
    return partial(client.site_create, name="Broke", vhosts=[f"broke.{PARKING}"])


def _lost_mutation(simulator, key, endpoint):
    simulator.set_faults(fault_rate=1.0, fault_kinds="lost")
    client = quick_client(simulator.url, key)
    return partial(client.site_create, name="Lost", vhosts=[f"lost.{PARKING}"])


def _server_fault(simulator, key, endpoint):
    simulator.set_faults(fault_rate=1.0, fault_kinds="fault150000")
    return quick_client(simulator.url, key).site_count


def _timeout(simulator, key, endpoint):
    simulator.set_faults(latency=500)
    return quick_client(simulator.url, key, timeout=0.1, read_retries=0).site_count


def _unreachable(simulator, key, endpoint):
    return quick_client(closed_port_url(), key, read_retries=0).site_count


def _xml_bomb(simulator, key, endpoint):
    return quick_client(endpoint(Reply(body=BILLION_LAUGHS)).url, key).site_count


def _echoing_fault(simulator, key, endpoint):
    # A hostile or buggy endpoint that puts the key it received into its fault string.
    url = endpoint(Reply(body=fault_reply(500037, f"Error [bad key {key} given]"))).url
    return quick_client(url, key).site_count


def _local_rate_limit(simulator, key, endpoint):
    from django.conf import settings

    limiter = RateLimiter.for_api_key(
        key, calls=1, period=60, max_wait=0.1, redis_client=redis.Redis.from_url(settings.REDIS_URL)
    )
    limiter.reset()
    client = quick_client(simulator.url, key, rate_limiter=limiter)
    client.site_count()
    return client.site_count


SCENARIOS = {
    "revoked key": (_revoked, errors.InvalidKeyError),
    "not found": (_not_found, errors.NotFoundError),
    "bad input": (_bad_input, errors.InvalidRequestError),
    "no credit": (_no_credit, errors.NoCreditError),
    "lost mutation": (_lost_mutation, errors.AmbiguousError),
    "server fault": (_server_fault, errors.TransientError),
    "timeout": (_timeout, errors.TransientError),
    "unreachable": (_unreachable, errors.UnreachableError),
    "xml bomb": (_xml_bomb, errors.BadReplyError),
    "echoing fault": (_echoing_fault, errors.InvalidRequestError),
    "local rate limit": (_local_rate_limit, errors.RateLimitedError),
}


def _caught(call) -> errors.GandiError:
    """Run `call` (a bound method or a partial, never a closure over the key) in a frame that
    holds no key, so the traceback shows what the client's own frames hold."""
    try:
        call()
    except errors.GandiError as exc:
        return exc
    raise AssertionError("no GandiError was raised")


def _every_view_of(error: errors.GandiError) -> str:
    return "\n".join(
        [
            str(error),
            repr(error),
            repr(error.args),
            error.message,
            error.support_text(),
            pickle.dumps(error).decode("latin-1"),
            repr(pickle.loads(pickle.dumps(error)).__dict__),
            "".join(
                traceback.TracebackException.from_exception(error, capture_locals=True).format()
            ),
        ]
    )


@pytest.mark.parametrize("scenario", SCENARIOS, ids=list(SCENARIOS))
def test_no_error_kind_ever_shows_the_key(scenario, simulator, scripted_endpoint, caplog):
    make_call, expected = SCENARIOS[scenario]
    key = simulator.add_account()
    call = make_call(simulator, key, scripted_endpoint)
    caplog.set_level(logging.DEBUG)

    error = _caught(call)

    assert isinstance(error, expected)
    views = _every_view_of(error)
    assert key not in views
    assert key not in caplog.text
    assert error.__context__ is None and error.__cause__ is None
    assert error.message and error.message in views  # the views were really rendered


def test_the_echoed_key_is_masked_to_its_last_four_characters(simulator, scripted_endpoint):
    key = simulator.add_account()
    error = _caught(_echoing_fault(simulator, key, scripted_endpoint))

    assert f"bad key …{key[-4:]} given" in error.support_text()


def test_a_successful_call_logs_without_the_key(client, account, caplog):
    caplog.set_level(logging.DEBUG)

    client.site_list()

    assert "site.list ok" in caplog.text
    assert f"…{account[-4:]}" in caplog.text
    assert account not in caplog.text


def test_the_client_repr_shows_only_the_last_four_characters(simulator, account):
    client = quick_client(simulator.url, account)

    assert repr(client) == f"<GandiClient {simulator.url} key=…{account[-4:]}>"
    assert account not in str(client)

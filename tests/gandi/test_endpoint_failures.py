"""How the client fails against a broken or hostile endpoint: every failure is a typed error
with a plain message, a read is retried, a mutation is never sent twice."""

from __future__ import annotations

import gzip

import pytest

from sites_app.gandi import errors

from .conftest import quick_client
from .endpoint import (
    BILLION_LAUGHS,
    OK_REPLY,
    Reply,
    closed_port_url,
    fault_reply,
    gzip_bomb,
    timed,
)


def test_it_refuses_a_billion_laughs_reply_quickly(scripted_endpoint):
    endpoint = scripted_endpoint(Reply(body=BILLION_LAUGHS))
    error, elapsed = timed(lambda: quick_client(endpoint.url).site_count())

    assert isinstance(error, errors.BadReplyError)
    assert "cannot read" in error.message
    assert "EntitiesForbidden" in error.support_text()
    assert elapsed < 2
    assert len(endpoint.requests) == 1  # a hostile reply is not worth asking again


def test_it_treats_a_bomb_after_a_mutation_as_ambiguous(scripted_endpoint):
    endpoint = scripted_endpoint(Reply(body=BILLION_LAUGHS))
    error, _ = timed(lambda: quick_client(endpoint.url).site_delete(3))

    assert isinstance(error, errors.AmbiguousError)
    assert endpoint.methods() == ["site.delete"]


def test_it_refuses_a_gzip_bomb(scripted_endpoint):
    endpoint = scripted_endpoint(Reply(body=gzip_bomb(64), headers={"Content-Encoding": "gzip"}))
    error, elapsed = timed(lambda: quick_client(endpoint.url).site_count())

    assert isinstance(error, errors.BadReplyError)
    assert elapsed < 5


def test_it_explains_an_html_page_instead_of_xml_rpc(scripted_endpoint):
    endpoint = scripted_endpoint(Reply(body=b"<html><body><h1>Welcome</h1></body></html>"))
    error, _ = timed(lambda: quick_client(endpoint.url).site_count())

    assert isinstance(error, errors.BadReplyError)
    assert "endpoint URL" in error.message


def test_it_reports_a_wrong_path_as_a_permanent_url_problem(scripted_endpoint):
    endpoint = scripted_endpoint(Reply(status=404, body=b"not found"))
    error, _ = timed(lambda: quick_client(endpoint.url).site_count())

    assert type(error) is errors.PermanentError
    assert f"{endpoint.url} answered HTTP 404" in error.message
    assert len(endpoint.requests) == 1


def test_it_retries_a_read_after_http_503_and_succeeds(scripted_endpoint):
    endpoint = scripted_endpoint(Reply(status=503, body=b"busy"), Reply(body=OK_REPLY))

    assert quick_client(endpoint.url).site_count() == 7
    assert endpoint.methods() == ["site.count", "site.count"]


def test_it_gives_up_on_a_read_after_its_retries(scripted_endpoint):
    endpoint = scripted_endpoint(Reply(status=503, body=b"busy"))
    error, _ = timed(lambda: quick_client(endpoint.url, read_retries=2).site_count())

    assert type(error) is errors.TransientError
    assert len(endpoint.requests) == 3  # the first try and two retries


def test_it_never_resends_a_mutation_after_http_503(scripted_endpoint):
    endpoint = scripted_endpoint(Reply(status=503, body=b"busy"), Reply(body=OK_REPLY))
    error, _ = timed(lambda: quick_client(endpoint.url).site_delete(3))

    assert isinstance(error, errors.AmbiguousError)
    assert "may have carried it out" in error.message
    assert endpoint.methods() == ["site.delete"]


def test_a_dropped_connection_after_a_create_is_ambiguous_and_not_resent(scripted_endpoint):
    endpoint = scripted_endpoint(Reply(drop=True), Reply(body=OK_REPLY))
    client = quick_client(endpoint.url)
    error, _ = timed(lambda: client.site_create(name="Shop", vhosts=["www.example.com"]))

    assert isinstance(error, errors.AmbiguousError)
    assert error.method == "site.create"
    assert endpoint.methods() == ["site.create"]


def test_a_dropped_connection_on_a_read_is_retried(scripted_endpoint):
    endpoint = scripted_endpoint(Reply(drop=True), Reply(body=OK_REPLY))

    assert quick_client(endpoint.url).site_count() == 7
    assert len(endpoint.requests) == 2


def test_a_slow_read_times_out_with_a_clear_message(scripted_endpoint):
    endpoint = scripted_endpoint(Reply(delay=1.5))
    client = quick_client(endpoint.url, timeout=0.3, read_retries=1)
    error, elapsed = timed(client.site_count)

    assert type(error) is errors.TransientError
    assert "did not answer within 0.3 seconds" in error.message
    assert len(endpoint.requests) == 2
    assert elapsed < 1.5


def test_a_slow_mutation_times_out_as_ambiguous(scripted_endpoint):
    endpoint = scripted_endpoint(Reply(delay=1.5))
    error, elapsed = timed(lambda: quick_client(endpoint.url, timeout=0.3).operation_cancel(9))

    assert isinstance(error, errors.AmbiguousError)
    assert len(endpoint.requests) == 1
    assert elapsed < 1.0


@pytest.mark.parametrize("call", ["site_count", "site_delete"])
def test_a_closed_port_is_unreachable_for_reads_and_mutations(call):
    url = closed_port_url()
    client = quick_client(url, read_retries=1)
    error, _ = timed(lambda: client.site_count() if call == "site_count" else client.site_delete(1))

    # Nothing was sent, so even a mutation is safely "not done", not ambiguous.
    assert isinstance(error, errors.UnreachableError)
    assert error.message.startswith(f"Could not reach Gandi at {url}")


def test_an_unknown_host_is_unreachable():
    client = quick_client("http://gandi-portal-test.invalid/xmlrpc/", read_retries=0)
    error, _ = timed(client.site_count)

    assert isinstance(error, errors.UnreachableError)


def test_a_fault_is_not_retried_when_permanent(scripted_endpoint):
    endpoint = scripted_endpoint(Reply(body=fault_reply(560042, "Error [Site 4 not found]")))
    error, _ = timed(lambda: quick_client(endpoint.url).site_info(4))

    assert isinstance(error, errors.NotFoundError)
    assert len(endpoint.requests) == 1


def test_a_server_fault_on_a_read_is_retried(scripted_endpoint):
    endpoint = scripted_endpoint(
        Reply(body=fault_reply(150000, "Error on object : OBJECT_UNKNOWN (CAUSE_UNKNOWN) [x]")),
        Reply(body=OK_REPLY),
    )

    assert quick_client(endpoint.url).site_count() == 7
    assert len(endpoint.requests) == 2


def test_a_server_fault_on_a_mutation_is_reported_once_as_transient(scripted_endpoint):
    endpoint = scripted_endpoint(Reply(body=fault_reply(150000, "[internal]")))
    error, _ = timed(lambda: quick_client(endpoint.url).site_delete(5))

    # A fault is an answer: Gandi says it did not act, so this is not ambiguous.
    assert type(error) is errors.TransientError
    assert len(endpoint.requests) == 1


def test_a_reply_of_the_wrong_shape_is_a_clear_error(scripted_endpoint):
    endpoint = scripted_endpoint(Reply(body=OK_REPLY))  # an int where a site struct belongs
    error, _ = timed(lambda: quick_client(endpoint.url).site_info(4))

    assert isinstance(error, errors.BadReplyError)
    assert "expected a struct" in error.support_text()


def test_a_read_on_a_connection_closed_while_idle_is_resent_at_once(scripted_endpoint, caplog):
    endpoint = scripted_endpoint(Reply(close_after=True))
    client = quick_client(endpoint.url, backoff_base=5, backoff_cap=5)
    client.site_count()
    caplog.set_level("INFO")

    result, elapsed = timed(client.site_count)

    assert result == 7
    assert elapsed < 1  # no back-off pause: a stale keep-alive is not a Gandi problem
    assert "retry" not in caplog.text
    assert len(endpoint.requests) == 2


def test_a_mutation_always_uses_a_new_connection_so_a_stale_one_cannot_fail_it(
    scripted_endpoint,
):
    endpoint = scripted_endpoint(Reply(close_after=True))
    client = quick_client(endpoint.url)
    client.site_count()

    assert client.operation_cancel(3) is True
    assert endpoint.methods() == ["site.count", "operation.cancel"]


def test_an_odd_reply_to_a_mutation_is_ambiguous(scripted_endpoint):
    endpoint = scripted_endpoint(Reply(body=OK_REPLY))  # an int where an operation belongs
    error, _ = timed(lambda: quick_client(endpoint.url).site_delete(3))

    assert isinstance(error, errors.AmbiguousError)
    assert "expected a struct" in error.support_text()


def test_a_dry_run_is_a_read_retried_after_a_drop_never_ambiguous(scripted_endpoint):
    empty = b"<?xml version='1.0'?><methodResponse><params><param><value><array><data>"
    empty += b"</data></array></value></param></params></methodResponse>"
    endpoint = scripted_endpoint(Reply(drop=True), Reply(body=empty))

    problems = quick_client(endpoint.url).site_create_dry_run(name="A", vhosts=["a.example"])

    assert problems == []
    assert endpoint.methods() == ["site.create", "site.create"]


def test_https_to_a_plain_http_server_is_unreachable_not_a_crash(scripted_endpoint):
    endpoint = scripted_endpoint(Reply())
    url = endpoint.url.replace("http://", "https://")
    error, _ = timed(lambda: quick_client(url, read_retries=0).site_count())

    assert isinstance(error, errors.UnreachableError)
    assert "SSL" in error.support_text()


def test_a_single_vhost_string_is_refused_before_anything_is_sent(scripted_endpoint):
    endpoint = scripted_endpoint(Reply())

    with pytest.raises(TypeError):
        quick_client(endpoint.url).site_create(name="Oops", vhosts="www.example.com")

    assert endpoint.requests == []


def test_a_reply_trickling_in_slower_than_the_timeout_is_cut_off(scripted_endpoint):
    padding = b" " * 1000  # XML allows whitespace before the reply's root element ends
    body = OK_REPLY.replace(b"<methodResponse>", b"<methodResponse>" + padding)
    endpoint = scripted_endpoint(Reply(body=body, trickle=0.1))  # ~1.3 s in all
    client = quick_client(endpoint.url, timeout=0.4, read_retries=0)

    error, elapsed = timed(client.site_count)

    assert type(error) is errors.TransientError
    assert "did not answer within 0.4 seconds" in error.message
    assert elapsed < 1.0


def test_a_small_gzip_reply_is_read_and_the_connection_reused(scripted_endpoint):
    endpoint = scripted_endpoint(
        Reply(body=gzip.compress(OK_REPLY), headers={"Content-Encoding": "gzip"})
    )
    client = quick_client(endpoint.url)

    assert [client.site_count(), client.site_count()] == [7, 7]
    assert len(endpoint.requests) == 2


def test_an_edit_link_that_is_not_a_web_address_is_refused(scripted_endpoint):
    reply = (
        b"<?xml version='1.0'?><methodResponse><params><param><value><struct>"
        b"<member><name>edit_url</name><value><string>javascript:alert(1)</string></value>"
        b"</member></struct></value></param></params></methodResponse>"
    )
    endpoint = scripted_endpoint(Reply(body=reply))
    error, _ = timed(lambda: quick_client(endpoint.url).site_edit_url(3))

    assert isinstance(error, errors.BadReplyError)
    assert "not an http(s) address" in error.support_text()

"""Bad input gets a Gandi-style fault, never a crash or a traceback; the server keeps going."""

import http.client
import xmlrpc.client
from urllib.parse import urlsplit

import pytest

from .conftest import create_site, fault_of


def post(simulator, body: bytes, path: str = "/xmlrpc/") -> tuple[int, bytes]:
    url = urlsplit(simulator.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.request("POST", path, body, {"Content-Type": "text/xml"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def fault_in(body: bytes) -> xmlrpc.client.Fault:
    with pytest.raises(xmlrpc.client.Fault) as caught:
        xmlrpc.client.loads(body)
    return caught.value


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<methodCall><methodName>version.info</methodName><params><param><value>&lol3;</value></param>
</params></methodCall>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<methodCall><methodName>version.info</methodName><params><param><value>&x;</value></param>
</params></methodCall>"""


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not xml at all",
        b"<methodCall><methodName>x",
        b"<a/>",
        BILLION_LAUGHS,
        EXTERNAL_ENTITY,
        b"<methodCall><params></params></methodCall>",
        b"<methodCall><methodName>site.list</methodName><params><param><value><int>x</int>"
        b"</value></param></params></methodCall>",
    ],
)
def test_junk_and_hostile_xml_get_a_bad_parameter_fault(simulator, key, body):
    status, reply = post(simulator, body)

    assert status == 200
    fault = fault_in(reply)
    assert fault.faultCode == 500137
    assert "Traceback" not in fault.faultString
    assert xmlrpc.client.ServerProxy(simulator.url).version.info(key)  # still serving


def test_a_request_larger_than_a_megabyte_is_refused_with_a_fault(simulator, key):
    body = xmlrpc.client.dumps((key, "x" * 2_000_000), "site.info").encode()

    _status, reply = post(simulator, body)

    assert fault_in(reply).faultCode == 500137


def test_other_paths_are_not_found(simulator):
    assert post(simulator, b"", path="/RPC2")[0] == 404


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("site.info", ()),
        ("site.info", (1, 2)),
        ("site.create", ()),
        ("version.info", (1,)),
        ("catalog.list", ({"product": {"type": "site"}}, "EUR", "A", "extra")),
    ],
)
def test_a_wrong_argument_count_is_a_fault(api, key, method, args):
    call = api
    for part in method.split("."):
        call = getattr(call, part)

    fault = fault_of(call, key, *args)

    assert fault.faultCode == 500137
    assert "Wrong number of arguments" in fault.faultString


@pytest.mark.parametrize(
    "params",
    [
        "a string",
        ["a", "list"],
        {"name": "S"},  # no vhosts
        {"vhosts": ["a.mine.example"]},  # no name
        {"name": 5, "vhosts": ["a.mine.example"]},
        {"name": "S", "vhosts": "a.mine.example"},
        {"name": "S", "vhosts": [1, 2]},
        {"name": "S", "vhosts": ["a.mine.example"], "colour": "red"},
        {"name": "S", "vhosts": ["a.mine.example"], "--dry-run": "yes"},
        {"name": "x" * 100_000, "vhosts": ["a.mine.example"]},
        {"name": "S", "vhosts": ["a" * 5000 + ".example"]},
        {"name": "S", "vhosts": ["a.mine.example"], "duration": 3},
    ],
)
def test_malformed_create_parameters_are_bad_parameter_faults(api, key, params):
    fault = fault_of(api.site.create, key, params)

    assert fault.faultCode == 500137
    assert api.site.count(key) == 0


@pytest.mark.parametrize("site_id", ["abc", True, 1.5, [1], {"id": 1}, "9" * 40])
def test_a_site_id_that_is_not_an_integer_is_a_fault(api, key, site_id):
    assert fault_of(api.site.info, key, site_id).faultCode == 500137


def test_a_site_id_may_arrive_as_a_numeric_string(api, key):
    site = create_site(api, key)

    assert api.site.info(key, str(site["id"]))["id"] == site["id"]


@pytest.mark.parametrize(
    "params",
    [{}, {"package": 3}, {"vhosts": "x"}, {"owner": "me"}, {"package": "business", "--dry-run": 1}],
)
def test_malformed_update_parameters_are_faults(api, key, params):
    site = create_site(api, key)

    assert fault_of(api.site.update, key, site["id"], params).faultCode == 500137


@pytest.mark.parametrize(
    ("opts", "extra"),
    [
        ({}, ()),
        ({"product": "site"}, ()),
        ({"product": {"type": "site", "colour": "red"}}, ()),
        ({"product": {"type": "site"}, "action": {"name": "create", "duration": "long"}}, ()),
        ({"product": {"type": "site"}}, ("XYZ",)),
        ({"product": {"type": "site"}}, ("EUR", "Z")),
    ],
)
def test_malformed_catalog_queries_are_faults(api, key, opts, extra):
    assert fault_of(api.catalog.list, key, opts, *extra).faultCode == 500137


def test_a_catalog_query_for_another_product_type_is_empty(api, key):
    assert api.catalog.list(key, {"product": {"type": "domain"}}) == []


def test_a_bug_inside_a_method_is_a_150000_fault_without_a_traceback(simulator, api, key):
    def broken(apikey):
        raise RuntimeError("secret internals")

    simulator.api.methods["version.info"] = broken

    fault = fault_of(api.version.info, key)

    assert fault.faultCode == 150000
    assert "secret internals" not in fault.faultString
    assert "Traceback" not in fault.faultString


def test_a_client_that_hangs_up_before_the_reply_is_logged_quietly(simulator, key, caplog, capsys):
    import socket
    import time

    simulator.set_faults(latency=200)
    url = urlsplit(simulator.url)
    body = xmlrpc.client.dumps((key,), "version.info").encode()
    with socket.create_connection((url.hostname, url.port)) as impatient:
        impatient.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
        impatient.sendall(
            b"POST /xmlrpc/ HTTP/1.1\r\nHost: x\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
    time.sleep(0.4)
    simulator.set_faults(latency=0)

    assert xmlrpc.client.ServerProxy(simulator.url).version.info(key)
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert "Traceback" not in capsys.readouterr().err

"""The HTTP side: XML-RPC at /xmlrpc/, statistics at /_sim/stats, editor links at /_sim/edit/.

Requests are parsed with defusedxml's expat parser (no entities, no external references), so
junk XML and XML bombs get a fault. Every failure inside a method becomes a Gandi-style fault;
tracebacks go to the server log, never to the caller.
"""

import contextlib
import hashlib
import html
import json
import logging
import socket
import ssl
import sys
import threading
import time
import xmlrpc.client
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from defusedxml.xmlrpc import DefusedExpatParser

from . import faults
from .api import GandiAPI
from .injection import FaultSettings

log = logging.getLogger("gandi_simulator")

XMLRPC_PATHS = {"/xmlrpc/", "/xmlrpc"}
MAX_BODY = 1024 * 1024  # a real request is a few kilobytes
MAX_DRAIN = 8 * MAX_BODY


def parse_request(body: bytes) -> tuple[str, tuple]:
    unmarshaller = xmlrpc.client.Unmarshaller(use_datetime=True)
    parser = DefusedExpatParser(unmarshaller)
    parser.feed(body)
    parser.close()
    params = unmarshaller.close()
    method = unmarshaller.getmethodname()
    if not isinstance(method, str) or not method:
        raise ValueError("no method name")
    return method, params


class CallCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter = Counter()
        self.rate_limited = 0  # of those calls, how many were refused with 150004

    def refuse(self) -> None:
        with self._lock:
            self.rate_limited += 1

    def add(self, method: str) -> None:
        with self._lock:
            self._counts[method[:100]] += 1

    def snapshot(self) -> Counter:
        with self._lock:
            return Counter(self._counts)


class SimulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        api: GandiAPI,
        fault_settings: FaultSettings,
        counter: CallCounter,
    ) -> None:
        self.api = api
        self.fault_settings = fault_settings
        self.counter = counter
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, XMLRPCHandler)

    def process_request(self, request, client_address) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        # A client that gave up (its timeout) while we answered, or refused our TLS
        # certificate, is routine, not a crash.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError | ssl.SSLError):
            log.info("client %s went away: %s", client_address[0], type(error).__name__)
        else:
            log.exception("unexpected error serving %s", client_address[0])

    def close_connections(self) -> None:
        """Cut keep-alive connections, so no client keeps talking to a stopped server."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class XMLRPCHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the client's delayed ACK adds
    # ~40 ms to every call.
    disable_nagle_algorithm = True
    server: SimulatorHTTPServer
    server_version = "GandiSimulator/1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.client_address[0], *args)

    # --- plumbing ---
    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_xml(self, payload: str) -> None:
        self._send(200, payload.encode("utf-8"), "text/xml; charset=utf-8")

    def _send_fault(self, fault: xmlrpc.client.Fault) -> None:
        self._send_xml(xmlrpc.client.dumps(fault, methodresponse=True, allow_none=True))

    def _drop(self) -> None:
        # Close without a byte of reply. Note that xmlrpc.client re-sends the request once by
        # itself in that case, so a caller only sees the failure when the retry fails too.
        self.close_connection = True

    # --- GET: statistics and editor links ---
    def do_GET(self) -> None:
        if self.path == "/_sim/stats":
            calls = self.server.counter.snapshot()
            stats = {
                "calls": dict(calls),
                "total": sum(calls.values()),
                "rate_limited": self.server.counter.rate_limited,
                "faults": self.server.fault_settings.describe(),
                "step_seconds": self.server.api.step_seconds,
            }
            body = json.dumps(stats).encode()
            self._send(200, body, "application/json")
        elif self.path.startswith("/_sim/edit/"):
            name = self.server.api.use_edit_link(self.path.removeprefix("/_sim/edit/"))
            if name is None:
                page = "<h1>This editor link has expired or was already used</h1>"
                self._send(410, page.encode(), "text/html; charset=utf-8")
            else:
                page = f"<h1>Site builder (simulated): editing {html.escape(name)}</h1>"
                self._send(200, page.encode(), "text/html; charset=utf-8")
        else:
            self._send(404, b"Not found\n", "text/plain")

    # --- POST: XML-RPC ---
    def do_POST(self) -> None:
        if self.path == "/_sim/faults":
            self._set_faults()
            return
        if self.path not in XMLRPC_PATHS:
            self._send(404, b"Not found: the XML-RPC endpoint is /xmlrpc/\n", "text/plain")
            return
        body = self._read_body()
        if body is None:
            return
        try:
            method, params = parse_request(body)
        except Exception as exc:  # any parser failure is the caller's junk, not our crash
            log.info("rejected a request that is not XML-RPC: %s", type(exc).__name__)
            self._send_fault(faults.bad_parameter("The request is not valid XML-RPC"))
            return
        self.server.counter.add(method)
        self._answer(method, params)

    def _set_faults(self) -> None:
        """POST /_sim/faults {"fault_rate": 0.2, ...}: the fault flags, for other processes."""
        try:
            length = int(self.headers.get("Content-Length", "0"))
            if not 0 <= length <= 10_000:
                raise ValueError("body too large")
            flags = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(flags, dict):
                raise ValueError("expected a JSON object")
            self.server.fault_settings.update(**flags)
        except (ValueError, TypeError) as exc:
            self._send(400, json.dumps({"error": str(exc)}).encode(), "application/json")
            return
        body = json.dumps(self.server.fault_settings.describe()).encode()
        self._send(200, body, "application/json")

    def _read_body(self) -> bytes | None:
        encoding = self.headers.get("Content-Encoding", "identity").lower()
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._send(411, b"Content-Length required\n", "text/plain")
            self.close_connection = True
            return None
        if length < 0 or length > MAX_BODY:
            log.info("rejected a request of %s bytes", length)
            if 0 < length <= MAX_DRAIN:
                self.rfile.read(length)
            else:
                self.close_connection = True
            self._send_fault(faults.bad_parameter("The request is too large"))
            return None
        body = self.rfile.read(length)
        if encoding != "identity":
            self._send_fault(faults.bad_parameter("Compressed requests are not accepted"))
            return None
        return body

    def _answer(self, method: str, params: tuple) -> None:
        settings = self.server.fault_settings
        if settings.latency_ms > 0:
            time.sleep(settings.latency_ms / 1000)
        key = params[0] if params and isinstance(params[0], str) else ""
        key_id = hashlib.sha256(key.encode()).hexdigest()[:16]
        if settings.over_rate_limit(key_id):
            self.server.counter.refuse()
            self._send_fault(faults.rate_limited())
            return
        injected = settings.call_fault()
        if injected == "fault150000":
            self._send_fault(faults.internal_error())
            return
        if injected == "http503":
            self._send(503, b"Service temporarily unavailable\n", "text/plain")
            return
        if injected == "drop":
            self._drop()
            return
        try:
            result = self.server.api.call(method, params)
            payload = xmlrpc.client.dumps((result,), methodresponse=True, allow_none=True)
        except xmlrpc.client.Fault as fault:
            log.info("%s -> fault %s", method, fault.faultCode)
            payload = xmlrpc.client.dumps(fault, methodresponse=True, allow_none=True)
        except Exception:
            log.exception("%s failed inside the simulator", method)
            payload = xmlrpc.client.dumps(faults.internal_error(), methodresponse=True)
        if injected == "lost":
            self._send_truncated(payload)
            log.info("%s acted; its reply was cut on purpose (lost)", method)
            return
        self._send_xml(payload)

    def _send_truncated(self, payload: str) -> None:
        # A reply cut mid-body, not a silent close: xmlrpc.client quietly re-sends a request
        # once when the connection closes before any reply (Transport.request), which would
        # hide the ambiguity; a cut body surfaces to the caller as IncompleteRead.
        body = payload.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        self.close_connection = True

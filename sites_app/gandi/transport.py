"""The HTTP side of the Gandi client: timeouts, defused XML parsing, a size cap, TLS checks, and
never a silent re-send. Only `client.py` uses it (it and this module are the only ones of the
portal that import xmlrpc).
"""

from __future__ import annotations

import http.client
import ssl
import time
import xmlrpc.client
from datetime import datetime
from typing import Any

from defusedxml.xmlrpc import DefusedExpatParser, DefusedGzipDecodedResponse

MAX_REPLY_BYTES = 16 * 1024 * 1024  # 500 operations are ~0.5 MB; anything far bigger is hostile


class NotSent(Exception):
    """The connection could not be opened: nothing reached the server."""


class CertificateRefused(NotSent):
    """The TLS handshake refused the server's certificate: nothing reached the server."""


class BadReply(Exception):
    """The server answered, but not with a readable XML-RPC reply."""


class Unmarshaller(xmlrpc.client.Unmarshaller):
    """The stdlib's, reading Gandi's compact dateTime (`20261126T18:29:16`) without strptime,
    which was a fifth of the cost of reading a page of 500 sites."""

    dispatch = dict(xmlrpc.client.Unmarshaller.dispatch)

    def end_dateTime(self, data: str) -> None:
        if len(data) == 17 and data[8] == "T":
            try:
                self.append(datetime.fromisoformat(data))
                return
            except ValueError:
                pass
        super().end_dateTime(data)

    dispatch["dateTime.iso8601"] = end_dateTime


class TransportMixin:
    """Timeout, defused parsing, a size cap, and no silent re-send of a request."""

    accept_gzip_encoding = False  # ask for plain XML; a gzip reply is still decoded safely

    def __init__(self, timeout: float, **kwargs: Any) -> None:
        super().__init__(use_datetime=True, **kwargs)  # type: ignore[call-arg]
        self.timeout = timeout
        self.deadline = 0.0

    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        connection = super().make_connection(host)  # type: ignore[misc]
        connection.timeout = self.timeout
        return connection

    def exchange(self, host: str, handler: str, body: bytes, *, fresh: bool) -> Any:
        """Send one request and read its reply.

        A mutation (`fresh`) always goes on a new connection and is never sent twice (the
        stdlib re-sends once when a kept-alive connection turns out closed, which for a
        mutation could act twice). A read on a kept-alive connection that the server closed
        while idle is re-sent at once on a new one, as the stdlib does."""
        # The socket timeout bounds each wait for a packet; this bounds the whole reply, so a
        # server trickling bytes cannot hold a worker forever.
        self.deadline = time.monotonic() + self.timeout
        if fresh:
            self.close()  # type: ignore[attr-defined]
        reused = self._open(host)
        try:
            return self.single_request(host, handler, body)  # type: ignore[attr-defined]
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if fresh or not reused:
                raise
        self._open(host)
        return self.single_request(host, handler, body)  # type: ignore[attr-defined]

    def _open(self, host: str) -> bool:
        """Make sure a connection is open; True when an open one was reused."""
        connection = self.make_connection(host)
        if connection.sock is not None:
            return True
        try:
            connection.connect()
        except ssl.SSLCertVerificationError as exc:
            self.close()  # type: ignore[attr-defined]
            raise CertificateRefused(exc.verify_message or exc.reason or str(exc)) from None
        except OSError as exc:
            self.close()  # type: ignore[attr-defined]
            raise NotSent(f"{type(exc).__name__}: {exc}") from None
        return False

    def getparser(self) -> tuple[DefusedExpatParser, xmlrpc.client.Unmarshaller]:
        target = Unmarshaller(use_datetime=True)
        return DefusedExpatParser(target), target

    def parse_response(self, response: http.client.HTTPResponse) -> Any:
        try:
            stream: Any = response
            if response.getheader("Content-Encoding", "") == "gzip":
                stream = DefusedGzipDecodedResponse(response, limit=MAX_REPLY_BYTES)
            parser, unmarshaller = self.getparser()
            size = 0
            # read1: whatever has arrived, so the deadline is checked while bytes trickle in.
            read = stream.read1 if stream is response else stream.read
            while chunk := read(65536):
                size += len(chunk)
                if size > MAX_REPLY_BYTES:
                    raise BadReply(f"reply larger than {MAX_REPLY_BYTES} bytes")
                if time.monotonic() > self.deadline:
                    raise TimeoutError("the reply is still arriving after the timeout")
                parser.feed(chunk)
            check_complete(response)
            if stream is response:
                response.read()  # read1 never marks the reply done; this frees the connection
            else:
                stream.close()
            parser.close()
        except (BadReply, OSError, http.client.HTTPException):
            raise
        except Exception as exc:  # expat, defusedxml and malformed-structure errors alike
            check_complete(response)
            raise BadReply(f"{type(exc).__name__}: {str(exc)[:200]}") from None
        try:
            return unmarshaller.close()  # raises xmlrpc.client.Fault for a fault reply
        except xmlrpc.client.Fault:
            raise
        except Exception as exc:  # well-formed XML that is not a methodResponse
            raise BadReply(f"{type(exc).__name__}: {str(exc)[:200]}") from None


def check_complete(response: http.client.HTTPResponse) -> None:
    """A reply cut short is a lost reply, not a bad one: http.client's read(n) returns what
    arrived without complaint when the connection closes before Content-Length is reached."""
    missing = getattr(response, "length", None)
    if missing:
        raise http.client.IncompleteRead(b"", missing)


class HTTPTransport(TransportMixin, xmlrpc.client.Transport):
    pass


class HTTPSTransport(TransportMixin, xmlrpc.client.SafeTransport):
    """Certificates verified against the system's CAs, or `ca_bundle`'s only when given;
    host names checked; TLS 1.2 at least."""

    def __init__(self, timeout: float, *, ca_bundle: str | None = None) -> None:
        context = ssl.create_default_context(cafile=ca_bundle or None)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        super().__init__(timeout, context=context)

"""DNS for ownership checks: a TXT look-up with dnspython, and a small local DNS server.

The local server answers from a standard master-format zone file, re-read whenever its
modification time changes, so "publishing" a record is appending a line such as
``www.example.com. 10800 IN TXT "vhost=..."``. It is authoritative for what the file holds
and answers NXDOMAIN for anything else at once (no recursion).
"""

import logging
import threading
from pathlib import Path

import dns.exception
import dns.resolver
from dnslib import QTYPE, RCODE, RR
from dnslib.server import BaseResolver, DNSServer

log = logging.getLogger("gandi_simulator.dns")


class ZoneFileResolver(BaseResolver):
    def __init__(self, zone_file: Path) -> None:
        self.zone_file = Path(zone_file)
        self._lock = threading.Lock()
        self._mtime: tuple[int, int, int] | None = None
        self._records: list[RR] = []

    def _records_now(self) -> list[RR]:
        with self._lock:
            try:
                stat = self.zone_file.stat()
            except FileNotFoundError:
                self._mtime, self._records = None, []
                return []
            # Size and inode too: two appends within one clock tick can share an mtime.
            mtime = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            if mtime != self._mtime:
                text = self.zone_file.read_text(encoding="utf-8")
                try:
                    self._records = list(RR.fromZone(text))
                except Exception:
                    # A half-written or mistyped zone must not stop the server: keep the
                    # last good records and say why in the log.
                    log.warning(
                        "cannot parse zone file %s; keeping the previous records",
                        self.zone_file,
                        exc_info=True,
                    )
                self._mtime = mtime
            return self._records

    def resolve(self, request, handler):
        reply = request.reply()
        reply.header.aa = 1
        reply.header.ra = 0
        qname, qtype = request.q.qname, request.q.qtype
        named = [rr for rr in self._records_now() if rr.rname == qname]
        for rr in named:
            if qtype in (rr.rtype, QTYPE.ANY):
                reply.add_answer(rr)
        if not named:
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


class _QuietLogger:
    """dnslib prints every packet by default; only decoding errors are worth a log line."""

    def log_recv(self, *args): ...
    def log_send(self, *args): ...
    def log_request(self, *args): ...
    def log_reply(self, *args): ...
    def log_truncated(self, *args): ...
    def log_data(self, *args): ...

    def log_error(self, handler, e):
        log.info("bad DNS packet from %s: %s", handler.client_address, e)


class LocalDNSServer:
    def __init__(self, zone_file: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        Path(zone_file).parent.mkdir(parents=True, exist_ok=True)
        Path(zone_file).touch(exist_ok=True)
        self.zone_file = Path(zone_file)
        self._server = DNSServer(
            ZoneFileResolver(zone_file), address=host, port=port, logger=_QuietLogger()
        )
        self.host, self.port = self._server.server.server_address[:2]

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="gandi-simulator-dns",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.server.shutdown()
        self._server.server.server_close()


def publish_txt(zone_file: Path, name: str, value: str, ttl: int = 10800) -> None:
    name = name.rstrip(".") + "."
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    with Path(zone_file).open("a", encoding="utf-8") as handle:
        handle.write(f'{name} {ttl} IN TXT "{escaped}"\n')


class TxtLookup:
    """TXT strings at a name, from a given name server or the system resolver."""

    def __init__(self, host: str | None = None, port: int = 53, timeout: float = 2.0) -> None:
        if host:
            self.resolver = dns.resolver.Resolver(configure=False)
            self.resolver.nameservers = [host]
            self.resolver.port = port
        else:
            self.resolver = dns.resolver.Resolver()
        self.resolver.lifetime = timeout
        self.resolver.cache = None  # a record published a second ago must be seen

    def __call__(self, name: str) -> list[str]:
        try:
            answer = self.resolver.resolve(name, "TXT", raise_on_no_answer=False)
        except (
            dns.resolver.NXDOMAIN,
            dns.resolver.NoNameservers,
            dns.name.LabelTooLong,
            dns.name.NameTooLong,
        ):
            return []
        except dns.exception.Timeout:
            log.warning("DNS timed out looking up TXT %s", name)
            return []
        return [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer]

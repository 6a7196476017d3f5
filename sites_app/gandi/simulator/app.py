"""One running simulator: the XML-RPC server, optionally its local DNS server, and the
in-process controls the tests use (accounts, TXT records, call counts, fault flags)."""

import logging
import secrets
import ssl
import string
import threading
from collections import Counter
from pathlib import Path

from .api import GandiAPI
from .dnszone import LocalDNSServer, TxtLookup, publish_txt
from .injection import FaultSettings
from .server import CallCounter, SimulatorHTTPServer
from .state import Store

log = logging.getLogger("gandi_simulator")
_KEY_ALPHABET = string.ascii_letters + string.digits


def new_api_key() -> str:
    return "".join(secrets.choice(_KEY_ALPHABET) for _ in range(24))


class Simulator:
    """Start with ``start()``; ``url`` is then the XML-RPC endpoint."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        state_path: Path | str | None = None,
        step_seconds: float = 2.0,
        dns_host: str | None = None,
        dns_port: int = 53,
        zone_file: Path | str | None = None,
        serve_dns: int | None = None,
        fault_settings: FaultSettings | None = None,
        dns_timeout: float = 2.0,
        ssl_context: ssl.SSLContext | None = None,
        omit_operation_site_id: bool = False,
    ) -> None:
        self._omit_operation_site_id = omit_operation_site_id
        self.host, self.port = host, port
        self.ssl_context = ssl_context  # a server context: serve HTTPS instead of HTTP
        self.state_path = Path(state_path) if state_path else None
        self._step_seconds = step_seconds
        self.zone_file = Path(zone_file) if zone_file else None
        self.serve_dns = serve_dns
        if serve_dns is not None and self.zone_file is None:
            raise ValueError("serving DNS needs a zone file")
        self.dns_host, self.dns_port, self.dns_timeout = dns_host, dns_port, dns_timeout
        self.faults = fault_settings or FaultSettings()
        self.counter = CallCounter()
        self.store = Store(self.state_path)
        self.api: GandiAPI | None = None
        self._http: SimulatorHTTPServer | None = None
        self._http_thread: threading.Thread | None = None
        self._dns: LocalDNSServer | None = None

    # --- life cycle ---
    def start(self) -> "Simulator":
        try:
            self._start_servers()
        except BaseException:
            self.stop()  # e.g. the HTTP port is taken: do not leave the DNS server running
            raise
        return self

    def _start_servers(self) -> None:
        if self.serve_dns is not None:
            assert self.zone_file is not None
            self._dns = LocalDNSServer(self.zone_file, self.host, self.serve_dns)
            self.serve_dns = self._dns.port  # keep a port chosen by the OS for restarts
            self._dns.start()
        if self.dns_host:
            lookup = TxtLookup(self.dns_host, self.dns_port, self.dns_timeout)
        elif self._dns is not None:
            lookup = TxtLookup(self._dns.host, self._dns.port, self.dns_timeout)
        else:
            lookup = TxtLookup(None, timeout=self.dns_timeout)
        self.api = GandiAPI(
            self.store,
            self.faults,
            txt_lookup=lookup,
            edit_url=self._edit_url,
            step_seconds=self._step_seconds,
            omit_operation_site_id=self._omit_operation_site_id,
        )
        self._http = SimulatorHTTPServer(
            (self.host, self.port), self.api, self.faults, self.counter
        )
        self.port = self._http.server_address[1]
        if self.ssl_context is not None:
            # The handshake runs in the request's thread, at its first read (a stalled client
            # cannot hold the accept loop); a client refusing the certificate leaves before
            # sending any request, so the call counter records nothing.
            self._http.socket = self.ssl_context.wrap_socket(
                self._http.socket, server_side=True, do_handshake_on_connect=False
            )
        # A short poll interval: stop() waits for it, and tests stop a simulator each time.
        self._http_thread = threading.Thread(
            target=self._http.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="gandi-simulator",
            daemon=True,
        )
        self._http_thread.start()

    def serve_forever(self) -> None:
        """Block until interrupted (the command line uses this)."""
        if self._http is None:
            self.start()
        assert self._http_thread is not None
        try:
            while self._http_thread.is_alive():
                self._http_thread.join(0.5)
        finally:
            self.stop()

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http.close_connections()
            self._http = None
        if self._dns is not None:
            self._dns.stop()
            self._dns = None

    def restart(self) -> None:
        """Stop, then start again on the same ports from what the state file holds."""
        self.stop()
        self.store = Store(self.state_path)
        self.start()

    # --- what callers connect to ---
    @property
    def url(self) -> str:
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{self.host}:{self.port}/xmlrpc/"

    @property
    def dns_address(self) -> str | None:
        if self.serve_dns is None:
            return None
        return f"{self.host}:{self.serve_dns}"

    def _edit_url(self, token: str) -> str:
        return f"http://{self.host}:{self.port}/_sim/edit/{token}"

    @property
    def step_seconds(self) -> float:
        return self._step_seconds

    @step_seconds.setter
    def step_seconds(self, value: float) -> None:
        # Operations already running keep the step they started with.
        self._step_seconds = float(value)
        if self.api is not None:
            self.api.step_seconds = float(value)

    @property
    def omit_operation_site_id(self) -> bool:
        """True: operation structs (operation.info, operation.list, replies) carry no site_id."""
        return self._omit_operation_site_id

    @omit_operation_site_id.setter
    def omit_operation_site_id(self, value: bool) -> None:
        self._omit_operation_site_id = bool(value)
        if self.api is not None:
            self.api.omit_operation_site_id = bool(value)

    # --- controls ---
    def add_account(
        self,
        api_key: str | None = None,
        *,
        credit: float = 1000.0,
        gandi_domains: list[str] | tuple[str, ...] = (),
    ) -> str:
        key = api_key or new_api_key()
        self.store.add_account(key, credit=credit, gandi_domains=list(gandi_domains))
        return key

    def seed_sites(
        self, api_key: str, count: int, *, prefix: str = "Seeded", package: str = "personal"
    ) -> list[int]:
        """Add `count` active sites to an account at once (benchmarks): no operation, no
        charge, one write of the state file. Their ids, in order."""
        return self.store.seed_sites(api_key, count, prefix=prefix, package=package)

    def edit_site(self, site_id: int, **fields: object) -> None:
        """Change a site as someone acting outside the portal would (tests, benchmarks)."""
        with self.store.lock:
            self.store.sites[str(site_id)].update(fields)
            self.store.save()

    def remove_site(self, site_id: int) -> None:
        """Delete a site at once, as if its delete operation had ended long ago."""
        with self.store.lock:
            del self.store.sites[str(site_id)]
            self.store.save()

    def revoke_account(self, api_key: str) -> None:
        with self.store.lock:
            self.store.accounts[api_key]["revoked"] = True
            self.store.save()

    def credit(self, api_key: str) -> float:
        with self.store.lock:
            return self.store.accounts[api_key]["credit"]

    def publish_txt(self, name: str, value: str) -> None:
        if self.zone_file is None:
            raise RuntimeError("this simulator has no zone file")
        publish_txt(self.zone_file, name, value)

    def calls(self) -> Counter:
        return self.counter.snapshot()

    def rate_limited(self) -> int:
        """How many calls were refused with 150004 (`--rate-limit`)."""
        return self.counter.rate_limited

    def set_faults(self, **flags: object) -> None:
        self.faults.update(**flags)

    def banner(self) -> str:
        accounts = (
            ", ".join(
                f"…{key[-4:]} ({account['credit']:.2f} EUR"
                + (
                    f"; Gandi DNS for {', '.join(account['gandi_domains'])}"
                    if account["gandi_domains"]
                    else ""
                )
                + ")"
                for key, account in self.store.accounts.items()
            )
            or "none (add one with --api-key)"
        )
        dns = (
            f"DNS {self.dns_address} (zone {self.zone_file})"
            if self.dns_address
            else (
                f"TXT checks via {self.dns_host}:{self.dns_port}"
                if self.dns_host
                else "TXT checks via the system resolver"
            )
        )
        return (
            f"Gandi simulator: XML-RPC {self.url} | {dns} | step {self.step_seconds:g}s "
            f"| accounts: {accounts}"
        )

"""Command line of the simulator, shared by ``python -m sites_app.gandi.simulator`` and
``python manage.py gandi_simulator``."""

import argparse
import logging
import re
import signal
import sys
from pathlib import Path

from .app import Simulator
from .catalog import PARKING_DOMAIN
from .injection import FAULT_KINDS, FaultSettings, parse_kinds, parse_rate_limit

DESCRIPTION = (
    "Serve the Gandi Site API (XML-RPC v3) on loopback for development, tests and demos. "
    f"Parking vhosts live under {PARKING_DOMAIN}; state survives restarts."
)


def _api_key(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9]{24}", value):
        raise argparse.ArgumentTypeError("an API key is 24 letters or digits")
    return value


def _rate(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError("a rate is between 0 and 1")
    return number


def _kinds(value: str) -> tuple[str, ...]:
    try:
        return parse_kinds(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _rate_limit(value: str) -> tuple[int, float] | None:
    try:
        return parse_rate_limit(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    parser.add_argument(
        "--port",
        type=int,
        default=8780,
        help="XML-RPC port; the endpoint is http://HOST:PORT/xmlrpc/ (default 8780)",
    )
    parser.add_argument(
        "--state",
        type=Path,
        default=Path("var/gandi-simulator.json"),
        help="JSON file holding accounts, sites and operations (default var/gandi-simulator.json)",
    )
    parser.add_argument(
        "--api-key",
        action="append",
        type=_api_key,
        default=[],
        metavar="KEY",
        help="an account's 24-character key; repeatable; created if new",
    )
    parser.add_argument(
        "--credit",
        type=float,
        default=None,
        help="prepaid credit in EUR for the --api-key accounts "
        "(default 1000 for new accounts, unchanged for existing ones)",
    )
    parser.add_argument(
        "--gandi-domain",
        action="append",
        default=[],
        metavar="DOMAIN",
        help="a domain whose DNS Gandi manages for the --api-key accounts: "
        "its vhosts need no TXT record; repeatable",
    )
    parser.add_argument(
        "--seed-sites",
        type=int,
        default=0,
        metavar="N",
        help="add N active sites to each --api-key account at start, at once (load tests)",
    )
    parser.add_argument(
        "--step-seconds",
        type=float,
        default=2.0,
        help="duration of each operation step BILL, WAIT, RUN (default 2)",
    )
    parser.add_argument(
        "--omit-operation-site-id",
        action="store_true",
        help="leave site_id out of operation structs (operation.info, operation.list and the "
        "replies of site.create/update/delete), as the contract allows",
    )
    dns = parser.add_argument_group("DNS ownership checks")
    dns.add_argument(
        "--dns-host",
        default=None,
        help="name server to ask for TXT records (default: the local server of "
        "--serve-dns, else the system resolver)",
    )
    dns.add_argument("--dns-port", type=int, default=53, help="its port (default 53)")
    dns.add_argument(
        "--zone-file",
        type=Path,
        default=None,
        help="master-format zone file served by --serve-dns; publish a record by "
        'adding a line like: www.example.com. 10800 IN TXT "vhost=..."',
    )
    dns.add_argument(
        "--serve-dns",
        type=int,
        default=None,
        metavar="PORT",
        help="run a local DNS server (UDP, on --host) answering from --zone-file",
    )
    inject = parser.add_argument_group("fault injection (all off by default)")
    inject.add_argument(
        "--latency",
        type=float,
        default=0.0,
        metavar="MS",
        help="delay every call by MS milliseconds",
    )
    inject.add_argument(
        "--fault-rate",
        type=_rate,
        default=0.0,
        metavar="R",
        help="fraction of calls that fail transiently",
    )
    inject.add_argument(
        "--fault-kinds",
        type=_kinds,
        default=FAULT_KINDS,
        metavar="LIST",
        help="comma-separated among " + ",".join(FAULT_KINDS) + " (default all); "
        "lost = act, then cut the reply",
    )
    inject.add_argument(
        "--op-error-rate",
        type=_rate,
        default=0.0,
        metavar="R",
        help="fraction of operations that end in ERROR",
    )
    inject.add_argument(
        "--op-support-rate",
        type=_rate,
        default=0.0,
        metavar="R",
        help="fraction of operations that end in SUPPORT",
    )
    inject.add_argument(
        "--rate-limit",
        type=_rate_limit,
        default=None,
        metavar="N/S",
        help="fault 150004 beyond N calls per S seconds per key, e.g. 30/2",
    )
    inject.add_argument(
        "--seed", type=int, default=None, help="seed of the random choices, for reproducible runs"
    )


def build(options: argparse.Namespace) -> Simulator:
    if options.serve_dns is not None and options.zone_file is None:
        raise SystemExit("--serve-dns needs --zone-file")
    fault_settings = FaultSettings(
        latency_ms=options.latency,
        fault_rate=options.fault_rate,
        fault_kinds=options.fault_kinds,
        op_error_rate=options.op_error_rate,
        op_support_rate=options.op_support_rate,
        rate_limit=options.rate_limit,
        seed=options.seed,
    )
    try:
        simulator = _simulator(options, fault_settings)
    except (OSError, ValueError) as exc:  # JSONDecodeError is a ValueError
        raise SystemExit(f"cannot start the simulator: {exc}") from None
    for key in options.api_key:
        is_new = key not in simulator.store.accounts
        credit = options.credit if options.credit is not None else (1000.0 if is_new else None)
        simulator.store.add_account(key, credit=credit, gandi_domains=options.gandi_domain)
        if options.seed_sites > 0:
            simulator.seed_sites(key, options.seed_sites)
    return simulator


def _simulator(options: argparse.Namespace, fault_settings: FaultSettings) -> Simulator:
    return Simulator(
        host=options.host,
        port=options.port,
        state_path=options.state,
        step_seconds=options.step_seconds,
        dns_host=options.dns_host,
        dns_port=options.dns_port,
        zone_file=options.zone_file,
        serve_dns=options.serve_dns,
        fault_settings=fault_settings,
        omit_operation_site_id=options.omit_operation_site_id,
    )


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(options: argparse.Namespace, out=sys.stdout) -> None:
    simulator = build(options)
    # SIGTERM (honcho, systemd) ends the run like Ctrl-C: the state is already on disk.
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    # One try around all of it: a SIGTERM right after the banner (a loaded machine) still
    # ends the run cleanly instead of escaping as an uncaught KeyboardInterrupt.
    try:
        try:
            simulator.start()
        except OSError as exc:  # most often: the port is taken
            raise SystemExit(f"cannot start the simulator: {exc}") from None
        print(simulator.banner(), file=out, flush=True)
        simulator.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m sites_app.gandi.simulator", description=DESCRIPTION
    )
    add_arguments(parser)
    parser.add_argument("--log-level", default="INFO")
    options = parser.parse_args(argv)
    logging.basicConfig(
        level=options.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    run(options)

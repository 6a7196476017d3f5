"""Sync at scale: the portal's sync against the simulator, beside the old way, at N sites.

For each size (1,000, 10,000 and 50,000 sites by default; `--sizes 1000,10000` for a quick run)
it seeds the simulator in bulk, then prints one table:

- sync of N new sites: time until every site is listed, at the default rate limit (through
  the real Redis limiter), Gandi calls and database queries;
- the details that follow (`site.info`, in the background): calls per second over a short
  window, as a share of the rate limit;
- a re-sync with nothing changed: time, calls, queries;
- the worker's peak RSS for that re-sync, in a fresh process (`--rss`, on by default);
- the baseline, the old way: one `site.info` per site (9 queries each), pages of 100, and a
  re-sync making 2 queries per site. Baselines longer than `--baseline-sites` sites are timed on
  that many sites and scaled to N (marked ~): at the rate limit their cost is linear.

PostgreSQL when DATABASE_URL points at it (the bench's rows are deleted afterwards), else a
temporary SQLite file; a private Redis unless REDIS_URL is set.

    .venv/bin/python bench/sync_bench.py [--sizes 1000,10000,50000] [--no-rss]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SIZES = (1_000, 10_000, 50_000)


# --- the environment: Django, a database, Redis, the simulator ---------------------------


@contextlib.contextmanager
def portal_environment(workdir: Path) -> Iterator[None]:
    """Django set up on DATABASE_URL (else SQLite under `workdir`) and REDIS_URL (else a
    private Redis), migrated. Environment variables a child process inherits."""
    from portal import private_redis

    redis_process = None
    if not os.environ.get("REDIS_URL"):
        port = private_redis.free_port()
        redis_process = private_redis.start(port, workdir / "redis")
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    os.environ.setdefault("DEBUG", "False")
    os.environ.setdefault("EMAIL_ALLOW_CONSOLE", "True")  # a bench sends no mail
    os.environ.setdefault("HTTPS", "False")
    os.environ.setdefault("STATIC_MANIFEST", "False")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("CACHE_KEY_PREFIX", f"bench-{os.getpid()}")
    os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", f"bench-{os.getpid()}")
    if not os.environ.get("ENCRYPTION_KEYS"):
        from cryptography.fernet import Fernet

        os.environ["ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    try:
        setup_django(migrate=True)
        yield
    finally:
        if redis_process is not None:
            redis_process.terminate()


def setup_django(*, migrate: bool = False) -> None:
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def database_label() -> str:
    from django.db import connection

    return "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"


class QueryCounter:
    """Counts the queries run on the default connection (without keeping them)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@contextlib.contextmanager
def counting_queries() -> Iterator[QueryCounter]:
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


def new_account(simulator, name: str, sites: int = 0):
    """A team and a Gandi account on the simulator with `sites` seeded sites."""
    from sites_app.models import Endpoint, GandiAccount, Team

    key = simulator.add_account(credit=10_000_000.0)
    if sites:
        simulator.seed_sites(key, sites)
    team = Team.objects.create(name=f"Bench {name} {time.monotonic_ns()}")
    account = GandiAccount(team=team, name=name, endpoint=Endpoint.CUSTOM, custom_url=simulator.url)
    account.set_api_key(key)
    account.save()
    return account


def calls(simulator) -> int:
    return sum(simulator.calls().values())


def limit_per_second() -> float:
    from django.conf import settings

    return settings.GANDI_RATE_LIMIT_CALLS / settings.GANDI_RATE_LIMIT_PERIOD


# --- what is measured ------------------------------------------------------------------


def listed(account, simulator) -> dict:
    """One pass of site.list, the way the worker's chained tasks read it."""
    from sites_app.services import site_sync

    client = account.client()
    before = calls(simulator)
    started = time.perf_counter()
    with counting_queries() as queries:
        sync = site_sync.start_pass(account, client)
        site_sync.run_pages(account, client, sync, seconds=float("inf"))
    return {
        "seconds": time.perf_counter() - started,
        "calls": calls(simulator) - before,
        "queries": queries.count,
    }


def details_rate(account, simulator, seconds: float) -> dict:
    """site.info reads on the background budget for `seconds`: calls per second."""
    from sites_app.services import site_details

    client = account.client(background=True)
    client.rate_limiter.reset()
    # One window first, uncounted: an idle key lends a burst the steady rate does not have.
    site_details.read_due(account, client, seconds=client.rate_limiter.period)
    before = simulator.calls()["site.info"]
    started = time.perf_counter()
    site_details.read_due(account, client, seconds=seconds)
    elapsed = time.perf_counter() - started
    rate = (simulator.calls()["site.info"] - before) / elapsed
    return {"per_second": rate, "share": rate / limit_per_second()}


def baseline_full_sync(account, simulator, sites: int) -> dict:
    """The old sync: site.list by 100, then one site.info per site (9 queries each)."""
    from sites_app.services import sites as site_service

    client = account.client()
    before = calls(simulator)
    started = time.perf_counter()
    with counting_queries() as queries:
        for n, summary in enumerate(client.iter_sites(per_page=100)):
            if n >= sites:
                break
            site_service.apply_site_info(account, client.site_info(summary.id))
    return {
        "seconds": time.perf_counter() - started,
        "calls": calls(simulator) - before,
        "queries": queries.count,
    }


def baseline_resync(account, simulator, sites: int) -> dict:
    """The old re-sync with nothing changed: the whole {gandi_id: Site} map, then per site
    a vhosts check and an UPDATE."""
    from django.utils import timezone

    from sites_app.models import Site

    client = account.client()
    before = calls(simulator)
    started = time.perf_counter()
    with counting_queries() as queries:
        known = {site.gandi_id: site for site in account.sites.all()}
        for n, summary in enumerate(client.iter_sites(per_page=100)):
            if n >= sites:
                break
            site = known.get(summary.id)
            if site is not None and site.vhosts.exists():
                Site.objects.filter(pk=site.pk).update(last_synced_at=timezone.now())
    return {
        "seconds": time.perf_counter() - started,
        "calls": calls(simulator) - before,
        "queries": queries.count,
    }


def worker_rss(account_id: int) -> dict:
    """A re-sync of the account in a fresh process (what a worker holds): its peak RSS."""
    command = [sys.executable, str(Path(__file__).resolve()), "--rss-child", str(account_id)]
    out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss over an exec,
    so a child would report its parent's peak."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_child(account_id: int) -> None:
    setup_django()
    import portal.celery  # noqa: F401  (a worker has Celery loaded too)
    from sites_app.models import GandiAccount
    from sites_app.services import site_sync

    account = GandiAccount.objects.get(pk=account_id)
    client = account.client()
    client.site_count()
    base = peak_rss_mb()
    sync = site_sync.start_pass(account, client)
    site_sync.run_pages(account, client, sync, seconds=float("inf"))
    peak = peak_rss_mb()
    print(json.dumps({"base_mb": base, "peak_mb": peak}))


def scaled(figure: dict, measured_sites: int, sites: int) -> dict:
    if measured_sites >= sites:
        return {**figure, "approx": False}
    factor = sites / measured_sites
    return {
        "seconds": figure["seconds"] * factor,
        "calls": round(figure["calls"] * factor),
        "queries": round(figure["queries"] * factor),
        "approx": True,
    }


def measure(simulator, sites: int, args) -> dict:
    from django.db import connection

    from sites_app.models import Team

    row: dict = {"sites": sites}
    account = new_account(simulator, f"new {sites}", sites)
    row["listed"] = listed(account, simulator)
    row["details"] = details_rate(account, simulator, args.details_seconds)
    row["resync"] = listed(account, simulator)
    if args.rss:
        row["rss"] = worker_rss(account.pk)
    sample = min(sites, args.baseline_sites)
    old = new_account(simulator, f"old {sites}", sample)
    row["old_full"] = scaled(baseline_full_sync(old, simulator, sample), sample, sites)
    resync_sample = min(sites, args.baseline_sites * 10)
    old_resync = new_account(simulator, f"old resync {sites}", 0)
    simulator.seed_sites(old_resync.api_key(), resync_sample)
    listed(old_resync, simulator)  # stored, as after a first sync
    row["old_resync"] = scaled(
        baseline_resync(old_resync, simulator, resync_sample), resync_sample, sites
    )
    Team.objects.filter(gandi_accounts__in=[account, old, old_resync]).delete()
    connection.close()
    return row


# --- the table -------------------------------------------------------------------------


def _time(figure: dict) -> str:
    return ("~" if figure.get("approx") else "") + f"{figure['seconds']:,.1f} s"


def _count(figure: dict, name: str) -> str:
    return ("~" if figure.get("approx") else "") + f"{figure[name]:,}"


def print_table(rows: list[dict], rss: bool) -> None:
    lines = [
        ("new sites: all listed", lambda r: _time(r["listed"]), lambda r: _time(r["old_full"])),
        (
            "  Gandi calls",
            lambda r: _count(r["listed"], "calls"),
            lambda r: _count(r["old_full"], "calls"),
        ),
        (
            "  database queries",
            lambda r: _count(r["listed"], "queries"),
            lambda r: _count(r["old_full"], "queries"),
        ),
        (
            "details (site.info) follow at",
            lambda r: f"{r['details']['per_second']:.1f}/s, {r['details']['share']:.0%} of limit",
            lambda r: "inline, above",
        ),
        (
            "re-sync, nothing changed",
            lambda r: _time(r["resync"]),
            lambda r: _time(r["old_resync"]),
        ),
        (
            "  Gandi calls",
            lambda r: _count(r["resync"], "calls"),
            lambda r: _count(r["old_resync"], "calls"),
        ),
        (
            "  database queries",
            lambda r: _count(r["resync"], "queries"),
            lambda r: _count(r["old_resync"], "queries"),
        ),
    ]
    if rss:
        lines.append(
            (
                "worker peak RSS (re-sync)",
                lambda r: f"{r['rss']['peak_mb']:.0f} MB (idle {r['rss']['base_mb']:.0f})",
                lambda r: "",
            )
        )
    width = 32
    header = f"{'':<{width}}" + "".join(
        f"{str(format(r['sites'], ',')) + ' sites':>26}{'old way':>18}" for r in rows
    )
    print(header)
    for label, new, old in lines:
        print(f"{label:<{width}}" + "".join(f"{new(r):>26}{old(r):>18}" for r in rows))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=",".join(str(n) for n in DEFAULT_SIZES),
        help="comma-separated site counts (default 1000,10000,50000)",
    )
    parser.add_argument("--no-rss", dest="rss", action="store_false", help="skip the RSS runs")
    parser.add_argument(
        "--details-seconds", type=float, default=6.0, help="window of the details rate"
    )
    parser.add_argument(
        "--baseline-sites",
        type=int,
        default=300,
        help="sites the old full sync is timed on (the old re-sync on 10x as many); "
        "larger sizes are scaled",
    )
    parser.add_argument("--rss-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rss_child:
        rss_child(args.rss_child)
        return
    sizes = [int(n.replace("_", "")) for n in args.sizes.split(",") if n.strip()]

    with tempfile.TemporaryDirectory() as workdir, portal_environment(Path(workdir)):
        from django.conf import settings

        from sites_app.gandi.simulator import Simulator

        simulator = Simulator(port=0, step_seconds=0.05).start()
        try:
            print(
                f"Sync benchmark on {database_label()}, simulator in this process, rate limit "
                f"{settings.GANDI_RATE_LIMIT_CALLS} calls / {settings.GANDI_RATE_LIMIT_PERIOD:g}"
                f" s (portal margin {settings.GANDI_RATE_LIMIT_MARGIN:.0%}, background share "
                f"{settings.GANDI_BACKGROUND_SHARE:.0%}); load average "
                f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n"
            )
            rows = []
            for sites in sizes:
                rows.append(measure(simulator, sites, args))
                print(f"  measured {sites:,} sites", file=sys.stderr, flush=True)
            print_table(rows, args.rss)
            print(
                "\n~ timed on fewer sites and scaled to N; old way: one site.info per site, "
                "pages of 100"
            )
        finally:
            simulator.stop()


if __name__ == "__main__":
    main()

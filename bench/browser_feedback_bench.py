"""DONE at Gandi → DONE shown in a real browser, end to end, with the portal's default settings.

Starts what production runs, each a real process: the Gandi simulator (steps of
`--step-seconds`, 2 s by default as Gandi's own), a private Redis, one Celery worker, beat, and
gunicorn with deploy/gunicorn.conf.py. Debian's Chromium (Playwright) signs in through the
form. For each of `--operations` creates (submitted as the create form does, `--parallel` at a
time), a tab is open on the operation's page; a MutationObserver in the page notes the moment
its status first reads "Done". DONE at Gandi is the simulator's own moment for the operation
(its creation + its steps, from the simulator's state). Prints p50, p95 and max of:
  Gandi → database   the worker's poll (when Gandi's `eta` says the step ends) wrote DONE;
  database → page    the open page's live fragment showed it;
  Gandi → page       the two together (goal: p95 ≤ 1.5 s),
and the Gandi calls the run made per operation (the budget the feedback must not raise).

PostgreSQL when DATABASE_URL points at it (a `test_…` database of its own, dropped after),
else a SQLite file under var/bench-browser/.

    .venv/bin/python bench/browser_feedback_bench.py [--operations 20] [--parallel 4]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from chaos_harness import API_KEY, MANAGED_DOMAIN, Harness, Process  # noqa: E402

from portal import private_redis  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "bench-browser-password-0123"
# Notes (once) when the page's status first reads Done, across htmx swaps of the fragment.
WATCH_FOR_DONE = """
new MutationObserver(() => {
  const status = document.querySelector('[data-testid="op-status"]');
  if (!window.__doneAt && status && status.textContent.trim() === "Done") {
    window.__doneAt = Date.now();
  }
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


def percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    return (
        statistics.median(ordered),
        ordered[max(0, round(0.95 * len(ordered)) - 1)],
        ordered[-1],
    )


def database(harness: Harness):
    """Django set up on the harness's environment, in a database of the bench's own."""
    os.environ.update(harness.env)
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are plain.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        call_command("migrate", "--noinput", verbosity=0)
        return None
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    harness.env["DATABASE_URL"] = os.environ["DATABASE_URL"] = url  # the processes' database
    return old_name


def drop_database(connection, old_name: str) -> None:
    """Drop the bench's database even if a stopped process's connection is still closing."""
    test_name = connection.settings_dict["NAME"]
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{test_name}" WITH (FORCE)')
    connection.settings_dict["NAME"] = old_name


def seed():
    from django.contrib.auth import get_user_model

    from sites_app.models import Endpoint, GandiAccount, Membership, Role, Team

    user = get_user_model().objects.create_user("bench-browser", password=PASSWORD)
    team = Team.objects.create(name="Browser bench")
    Membership.objects.create(team=team, user=user, role=Role.OWNER)
    account = GandiAccount(team=team, name="Bench account", endpoint=Endpoint.CUSTOM)
    account.custom_url = os.environ["GANDI_SIMULATOR_URL"]
    account.set_api_key(API_KEY)
    account.save()
    return account, user


def create(account, user, n: int):
    from sites_app.models import OperationKind
    from sites_app.services.operations import request_operation

    params = {
        "name": f"Browser bench {n}", "provider": "basekit_whitelabel", "package": "personal",
        "duration": "1m", "vhosts": [f"e2e-{n}.{MANAGED_DOMAIN}"],
    }  # fmt: skip
    op, _ = request_operation(
        account=account, kind=OperationKind.CREATE, user=user, params=params,
        idempotency_key=f"bench-browser-{os.getpid()}-{n}",
    )  # fmt: skip
    return op


def run(harness: Harness, base_url: str, operations: int, parallel: int) -> dict:
    """The creates, each followed in its own tab; figures and the Gandi calls they made."""
    from playwright.sync_api import sync_playwright

    from sites_app.gandi.simulator.state import final_time
    from sites_app.models import Operation, OperationStatus

    account, user = seed()
    calls_before = _gandi_calls(harness)
    seen_at: dict[int, float] = {}  # operation pk → when its page first read Done
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(base_url=base_url)
        context.set_default_timeout(60_000)
        context.add_init_script(WATCH_FOR_DONE)
        login = context.new_page()
        login.goto("/accounts/login/")
        login.fill("#id_username", user.username)
        login.fill("#id_password", PASSWORD)
        login.click("button[type=submit]")
        login.wait_for_url(lambda url: "/accounts/login/" not in url)
        tabs = [context.new_page() for _ in range(parallel)]
        for start in range(0, operations, parallel):
            numbers = range(start, min(operations, start + parallel))
            batch = [(tab, create(account, user, n)) for tab, n in zip(tabs, numbers, strict=False)]
            for tab, op in batch:
                tab.goto(f"/operations/{op.pk}/")
            for tab, op in batch:
                done = tab.wait_for_function("() => window.__doneAt", timeout=120_000)
                seen_at[op.pk] = done.json_value() / 1000
        browser.close()
    calls = Counter(_gandi_calls(harness))
    calls.subtract(calls_before)
    state = harness.sim_state()["operations"]  # the simulator's own moments, read once
    to_gandi, to_db, to_page = [], [], []
    for op in Operation.objects.filter(pk__in=seen_at):
        if op.status != OperationStatus.DONE:
            raise SystemExit(f"operation {op.pk} ended {op.status}: {op.last_error}")
        at_gandi = final_time(state[str(op.gandi_operation_id)])
        in_db, seen = op.finished_at.timestamp(), seen_at[op.pk]
        to_db.append(in_db - at_gandi)
        to_page.append(seen - in_db)
        to_gandi.append(seen - at_gandi)
    return {
        "to_db": to_db,
        "to_page": to_page,
        "total": to_gandi,
        "rows": len(seen_at),
        "calls": calls,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--operations", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=4, help="operations open at once")
    parser.add_argument("--step-seconds", type=float, default=2.0)
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "bench-browser")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} not installed (apt-get install chromium)")
    harness = Harness(args.workdir, args.step_seconds, seed=12)
    web_port = private_redis.free_port()
    harness.env.update(STATIC_MANIFEST="False", LOG_LEVEL="WARNING", GUNICORN_WORKERS="2")
    web = Process(
        "web",
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
         "-b", f"127.0.0.1:{web_port}", "--access-logfile", "/dev/null"],
        harness.env, harness.workdir / "web.log", b"Booting worker",
    )  # fmt: skip
    harness.start_redis()
    old_name = database(harness)
    from django.db import connection

    try:
        harness.simulator.start()
        harness.worker.start()
        harness.beat.start()
        web.start()
        figures = run(harness, f"http://127.0.0.1:{web_port}", args.operations, args.parallel)
    finally:
        web.stop()
        harness.stop()
        if old_name is not None:
            drop_database(connection, old_name)
    print(
        f"\nbrowser feedback bench on {connection.vendor}: {args.operations} creates,"
        f" {args.parallel} at a time, Gandi steps of {args.step_seconds:g} s, load"
        f" {os.getloadavg()[0]:.1f}"
    )
    print("DONE … shown | p50 s | p95 s | max s")
    print("--- | --- | --- | ---")
    for label, key in (
        ("Gandi → database (the worker's poll)", "to_db"),
        ("database → page (the live fragment)", "to_page"),
        ("Gandi → page, end to end", "total"),
    ):
        p50, p95, worst = percentiles(figures[key])
        print(f"{label} | {p50:.2f} | {p95:.2f} | {worst:.2f}")
    calls, rows = figures["calls"], figures["rows"]
    per_op = ", ".join(f"{m} {n / rows:.2f}" for m, n in sorted(calls.items()) if n)
    print(f"Gandi calls per create: {calls.total() / rows:.2f} ({per_op})")
    print(f"end-to-end p95 {percentiles(figures['total'])[1]:.2f} s (goal ≤ 1.5 s)")


def _gandi_calls(harness: Harness) -> dict[str, int]:
    """Calls the simulator has answered so far, by method (its /_sim/stats)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{harness.sim_port}/_sim/stats") as answer:
        return json.load(answer)["calls"]


if __name__ == "__main__":
    main()

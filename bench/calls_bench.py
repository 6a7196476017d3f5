"""The Gandi call budget: batched polling, and creates through the form with one worker.

1. Polling: N operations in flight over 10 accounts (1,000 by default). One poll cycle of the
   portal (`poll_account_operations` for each account: one `operation.list` per 500 ids)
   beside per-operation polling (one `operation.info` each): Gandi calls, and the ratio.
2. Creates: `--creates` sites (300 by default) through the create form (Django's test client:
   the page, then the post and its dry run), sent and followed by one real Celery worker
   (`celery -A portal worker -c 4`, as in production) against a simulator that enforces
   Gandi's rate limit (150004 beyond GANDI_RATE_LIMIT_CALLS per period): refusals drawn, and
   Gandi calls per create, by method. Beat's reconciler runs every 10 s, as beat would.
3. `--queued` creates (300) queued at once and pushed through by one worker at full speed:
   the rate limiter under pressure, refusals and calls per second.

PostgreSQL when DATABASE_URL points at it, else a temporary SQLite file; a private Redis
unless REDIS_URL is set (see sync_bench.py).

    .venv/bin/python bench/calls_bench.py [--operations 1000] [--creates 300] [--margin 0.9]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import sync_bench  # noqa: E402  (the shared environment: Django, database, Redis)

ACCOUNTS = 10


def polling(operations: int) -> dict:
    from django.utils import timezone

    from sites_app.gandi.client import GandiClient
    from sites_app.gandi.simulator import PARKING_DOMAIN, Simulator
    from sites_app.models import Operation, OperationKind, OperationStatus, Team
    from sites_app.services import polling as polling_service

    simulator = Simulator(port=0, step_seconds=3600).start()  # they stay in flight
    try:
        accounts = [sync_bench.new_account(simulator, f"poll {n}") for n in range(ACCOUNTS)]
        rows, ids = [], []
        for n in range(operations):
            account = accounts[n % ACCOUNTS]
            client = GandiClient(simulator.url, account.api_key())
            op = client.site_create(name=f"Poll {n}", vhosts=[f"poll-{n}.{PARKING_DOMAIN}"])
            ids.append((account, op.id))
            rows.append(
                Operation(
                    account=account,
                    kind=OperationKind.CREATE,
                    params={"name": f"Poll {n}"},
                    idempotency_key=f"poll-{n}",
                    status=OperationStatus.IN_PROGRESS,
                    gandi_operation_id=op.id,
                    gandi_step=op.step,
                    submitted_at=timezone.now(),
                    next_poll_at=timezone.now(),
                    deadline=timezone.now() + timedelta(hours=2),
                )
            )
        Operation.objects.bulk_create(rows, batch_size=500)

        before = sync_bench.calls(simulator)
        started = time.perf_counter()
        with sync_bench.counting_queries() as queries:
            for account in accounts:
                polling_service.poll_account_operations(account.pk)
        batched = {
            "calls": sync_bench.calls(simulator) - before,
            "seconds": time.perf_counter() - started,
            "queries": queries.count,
        }

        before = sync_bench.calls(simulator)
        started = time.perf_counter()
        clients = {a.pk: GandiClient(simulator.url, a.api_key()) for a in accounts}
        for account, op_id in ids:
            clients[account.pk].operation_info(op_id)
        single = {
            "calls": sync_bench.calls(simulator) - before,
            "seconds": time.perf_counter() - started,
        }
        Team.objects.filter(gandi_accounts__in=accounts).delete()
        return {"batched": batched, "single": single, "operations": operations}
    finally:
        simulator.stop()


def start_worker(log_path: Path) -> subprocess.Popen:
    from django.conf import settings

    command = [
        sys.executable, "-m", "celery", "-A", "portal", "worker",
        "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "-c", "4",
        "-n", f"bench-{os.getpid()}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING",
    ]  # fmt: skip
    log = log_path.open("wb")
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    return process


def creates(count: int, workdir: Path) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from sites_app import tasks
    from sites_app.gandi.simulator import PARKING_DOMAIN, Simulator
    from sites_app.models import Membership, Operation, OperationStatus, Role, Team

    setup_test_environment()  # the test client then keeps each page's template context
    limit = (settings.GANDI_RATE_LIMIT_CALLS, settings.GANDI_RATE_LIMIT_PERIOD)
    simulator = Simulator(port=0, step_seconds=0.5).start()
    simulator.set_faults(rate_limit=f"{limit[0]}/{limit[1]:g}")  # Gandi's own limit
    worker = start_worker(workdir / "worker.log")
    try:
        account = sync_bench.new_account(simulator, "creates")
        user = get_user_model().objects.create_user(f"bench-{time.monotonic_ns()}")
        Membership.objects.create(team=account.team, user=user, role=Role.OWNER)
        browser = Client()
        browser.force_login(user)
        calls_before, refused_before = simulator.calls(), simulator.rate_limited()
        started = time.perf_counter()
        next_reconcile = started + 10
        for n in range(count):
            page = browser.get(reverse("site_create"))
            response = browser.post(
                reverse("site_create"),
                {
                    "account": account.pk,
                    "name": f"Bench shop {n}",
                    "provider": "basekit_whitelabel",
                    "package": "personal",
                    "duration": "1m",
                    "vhosts": f"bench-shop-{n}.{PARKING_DOMAIN}",
                    "request_key": page.context["form"]["request_key"].value(),
                },
            )
            # Step two: accept the price the confirmation page showed.
            confirm = response.context.get("confirm") if response.context else None
            if confirm is not None:
                response = browser.post(
                    reverse("site_create"),
                    {
                        "checked": confirm["checked"].value(),
                        "request_key": confirm["request_key"].value(),
                        "quoted_price": confirm["quoted_price"].value(),
                        "quoted_currency": confirm["quoted_currency"].value(),
                        "accept_quote": "on",
                    },
                )
            if response.status_code != 302:
                raise RuntimeError(f"create {n} was refused: {response.status_code}")
            if time.perf_counter() > next_reconcile:
                tasks.reconcile_operations.delay()
                next_reconcile += 10
        posted = time.perf_counter() - started
        ops = Operation.objects.filter(account=account)
        deadline = time.monotonic() + 600
        while ops.exclude(status__in=[OperationStatus.DONE, OperationStatus.FAILED]).exists():
            if time.monotonic() > deadline:
                break
            if time.perf_counter() > next_reconcile:
                tasks.reconcile_operations.delay()
                next_reconcile += 10
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        by_status = Counter(ops.values_list("status", flat=True))
        by_method = simulator.calls() - calls_before
        Team.objects.filter(pk=account.team_id).delete()
        return {
            "creates": count,
            "posted_seconds": posted,
            "seconds": elapsed,
            "status": dict(by_status),
            "calls": by_method,
            "refused": simulator.rate_limited() - refused_before,
            "limit": limit,
        }
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
        simulator.stop()


def queued_creates(count: int, workdir: Path) -> dict:
    """`count` creates queued at once (no form: the rows and their tasks), pushed through by
    one worker at full speed: the rate limiter under pressure."""
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from sites_app.gandi.simulator import PARKING_DOMAIN, Simulator
    from sites_app.models import Membership, OperationKind, OperationStatus, Role, Team
    from sites_app.services.operations import request_operation

    limit = (settings.GANDI_RATE_LIMIT_CALLS, settings.GANDI_RATE_LIMIT_PERIOD)
    simulator = Simulator(port=0, step_seconds=0.5).start()
    simulator.set_faults(rate_limit=f"{limit[0]}/{limit[1]:g}")
    worker = start_worker(workdir / "worker-queued.log")
    try:
        account = sync_bench.new_account(simulator, "queued")
        user = get_user_model().objects.create_user(f"bench-q-{time.monotonic_ns()}")
        Membership.objects.create(team=account.team, user=user, role=Role.OWNER)
        time.sleep(3)  # the worker is up before the burst
        calls_before, refused_before = simulator.calls(), simulator.rate_limited()
        started = time.perf_counter()
        for n in range(count):
            request_operation(
                account=account,
                kind=OperationKind.CREATE,
                user=user,
                params={
                    "name": f"Queued {n}",
                    "provider": "basekit_whitelabel",
                    "package": "personal",
                    "duration": "1m",
                    "vhosts": [f"queued-{n}.{PARKING_DOMAIN}"],
                },
                idempotency_key=f"queued-{n}",
            )
        ops = account.operations.all()
        deadline = time.monotonic() + 600
        while ops.exclude(status__in=[OperationStatus.DONE, OperationStatus.FAILED]).exists():
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        result = {
            "creates": count,
            "seconds": elapsed,
            "status": dict(Counter(ops.values_list("status", flat=True))),
            "calls": simulator.calls() - calls_before,
            "refused": simulator.rate_limited() - refused_before,
            "limit": limit,
        }
        Team.objects.filter(pk=account.team_id).delete()
        return result
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
        simulator.stop()


def print_queued(result: dict) -> None:
    total = sum(result["calls"].values())
    print(
        f"\n{result['creates']} creates queued at once, one worker at full speed: all final "
        f"after {result['seconds']:.1f} s {result['status']}"
    )
    print(f"  refusals from Gandi (150004): {result['refused']}")
    print(
        f"  Gandi calls: {total:,}, {total / result['seconds']:.1f} per second "
        f"(Gandi allows {result['limit'][0] / result['limit'][1]:g})"
    )


def print_polling(result: dict) -> None:
    batched, single = result["batched"], result["single"]
    print(f"Polling {result['operations']:,} operations in flight over {ACCOUNTS} accounts")
    print(f"  {'':<40}{'Gandi calls':>12}{'DB queries':>12}")
    print(
        f"  {'one cycle, batched (operation.list)':<40}{batched['calls']:>12,}"
        f"{batched['queries']:>12,}"
    )
    print(f"  {'per-operation polling (operation.info)':<40}{single['calls']:>12,}")
    print(f"  ratio: {single['calls'] / max(1, batched['calls']):.0f}x fewer calls batched")


def print_creates(result: dict) -> None:
    calls, count = result["calls"], result["creates"]
    total = sum(calls.values())
    calls_per, period = result["limit"]
    print(
        f"\n{count} creates through the form, one worker, Gandi's limit {calls_per} calls / "
        f"{period:g} s enforced by the simulator"
    )
    print(f"  all final after {result['seconds']:.1f} s (forms posted in "
          f"{result['posted_seconds']:.1f} s): {result['status']}")  # fmt: skip
    print(f"  refusals from Gandi (150004): {result['refused']}")
    print(f"  Gandi calls per create: {total / count:.2f} ({total:,} calls)")
    for method, n in sorted(calls.items(), key=lambda item: -item[1]):
        print(f"    {method:<22}{n:>7,}{n / count:>8.2f} per create")
    print(f"  calls per second overall: {total / result['seconds']:.1f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=1000)
    parser.add_argument("--creates", type=int, default=300, help="creates through the form")
    parser.add_argument(
        "--queued", type=int, default=300, help="creates queued at once (limiter under pressure)"
    )
    parser.add_argument(
        "--margin",
        type=float,
        default=None,
        help="GANDI_RATE_LIMIT_MARGIN for this run (1.0: exactly Gandi's figure)",
    )
    args = parser.parse_args(argv)
    if args.margin is not None:
        os.environ["GANDI_RATE_LIMIT_MARGIN"] = str(args.margin)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    with tempfile.TemporaryDirectory() as workdir, sync_bench.portal_environment(Path(workdir)):
        from django.conf import settings

        margin = getattr(settings, "GANDI_RATE_LIMIT_MARGIN", 1.0)  # older code: none
        print(
            f"Gandi call budget on {sync_bench.database_label()}; portal margin "
            f"{margin:.0%} of Gandi's limit; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n"
        )
        if args.operations:
            print_polling(polling(args.operations))
        if args.creates:
            print_creates(creates(args.creates, Path(workdir)))
        if args.queued:
            print_queued(queued_creates(args.queued, Path(workdir)))


if __name__ == "__main__":
    main()

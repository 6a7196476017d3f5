"""How long an open operation page takes to show DONE once the database has it (page side).

For each of N operations (20 by default) an open page polls the operation's progress
fragment as htmx does, while the "worker" writes DONE into the row at a random moment. The
figure is the time from that write to the first poll answer that shows "Done": p50, p95 and
max, for the portal's live fragment (polls every 0.5 s with its version, answered 204 while
unchanged) next to the baseline of the same run, the former fixed 2 s refresh that rendered
the fragment on every poll. It also prints what the polls cost: requests, and how many were
rendered rather than answered 204.

The rest of the way, DONE at Gandi → the database, is the polling's (Gandi's eta decides when
the worker asks); add the two for DONE at Gandi → DONE shown.

    .venv/bin/python bench/feedback_bench.py [--operations 20]
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from lists_bench import bench_database  # noqa: E402

_gandi_ids = itertools.count(10_000)  # one row per Gandi operation, across both measures


def seed_operation(account, n: int):
    from django.utils import timezone

    from sites_app.models import Operation, OperationStatus

    return Operation.objects.create(
        account=account,
        kind="create",
        site_name=f"Feedback {n}",
        idempotency_key=f"feedback-{n}-{time.time_ns()}",
        status=OperationStatus.IN_PROGRESS,
        gandi_step="RUN",
        gandi_operation_id=next(_gandi_ids),
        deadline=timezone.now() + timedelta(minutes=10),
    )


def finish(op_pk: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from sites_app.models import Operation, OperationStatus

    now = timezone.now()
    Operation.objects.filter(pk=op_pk).update(
        status=OperationStatus.DONE, gandi_step="DONE", finished_at=now, updated_at=now
    )
    connection.close()


def follow(client, url: str, interval: float, with_version: bool, stop: threading.Event):
    """Poll like the page: every `interval` s; returns (seen at, polls, polls rendered)."""
    import re

    version = ""
    polls = rendered = 0
    while not stop.is_set():
        started = time.perf_counter()
        response = client.get(url, {"v": version} if with_version else {})
        polls += 1
        if response.status_code == 200:
            rendered += 1
            html = response.content.decode()
            if 'data-testid="op-status">Done<' in html:
                return time.perf_counter(), polls, rendered
            if with_version and (found := re.search(r"\?v=(\w+)", html)):
                version = found.group(1)
        time.sleep(max(0.0, interval - (time.perf_counter() - started)))
    return None, polls, rendered


def measure(world, operations: int, interval: float, with_version: bool) -> dict:
    from django.test import Client

    latencies, polls, rendered = [], 0, 0
    for n in range(operations):
        op = seed_operation(world["account"], n)
        client = Client()
        client.force_login(world["user"])
        url = f"/operations/{op.pk}/progress/"
        outcome: dict = {}
        stop = threading.Event()

        def page(client=client, url=url, outcome=outcome, stop=stop):
            from django.db import connection

            try:
                outcome["result"] = follow(client, url, interval, with_version, stop)
            finally:
                connection.close()  # this thread's own connection

        poller = threading.Thread(target=page)
        poller.start()
        time.sleep(random.uniform(0.2, 0.2 + 2 * interval))  # the page has been open a while
        done_at = time.perf_counter()
        finish(op.pk)
        poller.join(timeout=10 + 2 * interval)
        stop.set()
        seen_at, op_polls, op_rendered = outcome.get("result", (None, 0, 0))
        if seen_at is None:
            raise SystemExit(f"operation {op.pk}: DONE was never shown")
        latencies.append(seen_at - done_at)
        polls += op_polls
        rendered += op_rendered
    ordered = sorted(latencies)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[max(0, round(0.95 * len(ordered)) - 1)],
        "max": ordered[-1],
        "polls": polls,
        "rendered": rendered,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--operations", type=int, default=20)
    args = parser.parse_args(argv)
    with bench_database() as connection:
        from django.contrib.auth import get_user_model

        from sites_app.models import GandiAccount, Membership, Role, Team
        from sites_app.views.live import POLL_INTERVAL

        team = Team.objects.create(name="Feedback team")
        user = get_user_model().objects.create_user("feedback", password="x")
        Membership.objects.create(team=team, user=user, role=Role.OWNER)
        account = GandiAccount(team=team, name="Feedback account")
        account.set_api_key("feedback-bench-key-0123456789")
        account.save()
        world = {"account": account, "user": user}
        interval = float(POLL_INTERVAL.removesuffix("ms")) / 1000
        print(f"\nfeedback bench on {connection.vendor}: database DONE → page shows Done")
        rows = [
            (f"live fragment ({POLL_INTERVAL}, 204 unless changed)", interval, True),
            ("baseline: fixed 2 s refresh, always rendered", 2.0, False),
        ]
        figures = {label: measure(world, args.operations, i, v) for label, i, v in rows}
        print(f"{args.operations} operations | p50 s | p95 s | max s | polls | rendered")
        print("--- | --- | --- | --- | --- | ---")
        for label, figure in figures.items():
            print(
                f"{label} | {figure['p50']:.2f} | {figure['p95']:.2f} | {figure['max']:.2f}"
                f" | {figure['polls']} | {figure['rendered']}"
            )
        ours, base = (figures[label] for label, _i, _v in rows)
        print(f"p95 ratio live/baseline: {ours['p95'] / base['p95']:.2f} (page-side goal ≤ 1.5 s)")


if __name__ == "__main__":
    main()

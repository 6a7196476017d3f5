"""`make chaos`: faults cost seconds, never a wrong answer; measured against real processes.

Runs a real Celery worker and beat, a private Redis, PostgreSQL when DATABASE_URL points at
it (else SQLite) and the Gandi simulator with fault injection. Requests go through the
portal's service layer (request_operation), as a submitted form does. Scenarios:

  a  requests (creates with distinct and with equal names, vhost changes, upgrades,
     deletes) at 20 % transient faults, lost replies included
  b  creates while the worker is kill -9'ed again and again
  c  Redis killed and restarted empty mid-flight
  d  the simulator killed and restarted mid-flight
  e  the same form posted twice at once, and from two tabs

Each prints a table: requested, final by status, correct vs wrong final state (judged against
the simulator's own state file), duplicate mutations (the simulator's record of operations
it accepted, per request), rows that needed a person (and of those, where Gandi had done
nothing), and the time from the last fault to each row final (p95, max).

    make chaos                         # everything, full counts
    make chaos CHAOS_ARGS="--scale 0.2 --scenarios a,e"
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chaos_harness import API_KEY, MANAGED_DOMAIN, ROOT, Harness


def setup_django(harness: Harness) -> None:
    os.environ.update(harness.env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


def make_account():
    from django.contrib.auth import get_user_model

    from sites_app.models import Endpoint, GandiAccount, Membership, Role, Team

    user, _ = get_user_model().objects.get_or_create(username="chaos")
    team = Team.objects.create(name=f"Chaos {time.strftime('%H:%M:%S')}")
    Membership.objects.create(team=team, user=user, role=Role.OWNER)
    account = GandiAccount(team=team, name="Chaos account", endpoint=Endpoint.CUSTOM)
    account.custom_url = os.environ["GANDI_SIMULATOR_URL"]
    account.set_api_key(API_KEY)
    account.save()
    return account, user


class Run:
    """One scenario's requests, faults and outcome."""

    def __init__(self, name: str, harness: Harness, account, user, timeout: float):
        self.name, self.harness, self.account, self.user = name, harness, account, user
        self.timeout = timeout
        self.ids: list[int] = []
        self.submit_errors: list[str] = []
        self.last_fault = time.time()
        self.serial = 0
        self.exits_before = harness.exits()

    def key(self) -> str:
        self.serial += 1
        return f"{self.name}-{os.getpid()}-{time.monotonic_ns()}-{self.serial}"

    def request(self, kind: str, params: dict, site=None, key: str | None = None):
        from sites_app.services.operations import OperationRefused, request_operation

        try:
            op, _ = request_operation(
                account=self.account, kind=kind, user=self.user, params=params,
                idempotency_key=key or self.key(), site=site,
            )  # fmt: skip
        except OperationRefused as exc:
            self.submit_errors.append(f"refused: {exc.message}")
            return None
        except Exception as exc:  # what a user would see as an error page
            self.submit_errors.append(f"{type(exc).__name__}: {exc}")
            return None
        if op.pk not in self.ids:
            self.ids.append(op.pk)
        return op

    def create(self, name: str, vhost_label: str, key: str | None = None):
        from sites_app.models import OperationKind

        params = {
            "name": name, "provider": "basekit_whitelabel", "package": "personal",
            "duration": "1m", "vhosts": [f"{vhost_label}.{MANAGED_DOMAIN}"],
        }  # fmt: skip
        return self.request(OperationKind.CREATE, params, key=key)

    def fault(self) -> None:
        self.last_fault = time.time()

    def rows(self):
        from sites_app.models import Operation

        return list(Operation.objects.filter(pk__in=self.ids).select_related("site"))

    def wait_final(self, on_tick=None) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            self.harness.supervise()
            if on_tick is not None:
                on_tick()
            if all(op.is_final for op in self.rows()):
                return
            time.sleep(0.5)

    def wait_sent(self, limit: float) -> None:
        """Until every row has left queued/sending/checking, or `limit` seconds."""
        from sites_app.models import OperationStatus

        early = {OperationStatus.QUEUED, OperationStatus.SENDING, OperationStatus.CHECKING}
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            self.harness.supervise()
            if not any(op.status in early for op in self.rows()):
                return
            time.sleep(0.5)


def done_sites(run: Run):
    from sites_app.models import OperationKind, OperationStatus

    return [
        op.site for op in run.rows()
        if op.kind == OperationKind.CREATE and op.status == OperationStatus.DONE and op.site
    ]  # fmt: skip


# --- scenarios ---
def scenario_a(run: Run, scale: float) -> None:
    from sites_app.models import OperationKind

    creates = max(2, round(55 * scale))  # some end needing a person: 45 sites left to change
    run.harness.set_faults(fault_rate=0.2)
    for n in range(creates):
        # half distinct names, half in groups of five sharing one name
        name = f"Distinct {n}" if n % 2 == 0 else f"Same {n // 10}"
        run.create(name, f"a{n}-{os.getpid()}")
    run.wait_final()
    sites = done_sites(run)
    changes = max(3, round(100 * scale) - creates)
    for n, site in enumerate(sites[:changes]):
        site.refresh_from_db()
        if n % 3 == 0:
            current = site.vhost_names()
            new = [*current, f"extra{n}-{os.getpid()}.{MANAGED_DOMAIN}"]
            run.request(
                OperationKind.UPDATE_VHOSTS,
                {"vhosts": new, "added_vhosts": new[-1:], "based_on": current},
                site=site,
            )
        elif n % 3 == 1:
            run.request(OperationKind.UPGRADE, {"package": "business"}, site=site)
        else:
            run.request(OperationKind.DELETE, {"name": site.name}, site=site)
    run.wait_sent(limit=90)
    run.harness.set_faults(fault_rate=0)
    run.fault()


def scenario_b(run: Run, scale: float) -> None:
    creates, kills = max(2, round(20 * scale)), max(1, round(10 * scale))
    rng = random.Random(creates * 31 + kills)
    worker, before = run.harness.worker, run.harness.worker.kills

    def kill() -> None:
        time.sleep(rng.uniform(0.2, 1.2))  # a fresh request is being sent or polled
        worker.kill()
        run.fault()
        worker.start()

    for n in range(creates):
        run.create(f"Kill {n % 4}", f"b{n}-{os.getpid()}")
        if (n + 1) % max(1, creates // kills) == 0 and worker.kills - before < kills:
            kill()
    while worker.kills - before < kills:
        kill()


def scenario_c(run: Run, scale: float) -> None:
    creates = max(2, round(10 * scale))
    for n in range(creates):
        run.create(f"Redis {n % 3}", f"c{n}-{os.getpid()}")
    time.sleep(1.0)
    run.harness.kill_redis()
    time.sleep(2.0)
    run.harness.restart_redis_empty()
    run.fault()


def scenario_d(run: Run, scale: float) -> None:
    creates = max(2, round(10 * scale))
    for n in range(creates):
        run.create(f"Simulator {n % 3}", f"d{n}-{os.getpid()}")
    time.sleep(1.0)
    run.harness.simulator.kill()
    time.sleep(3.0)
    run.harness.simulator.start()
    run.fault()


def scenario_e(run: Run, scale: float) -> None:
    pairs = max(1, round(5 * scale))
    for n in range(pairs):
        key = run.key()  # one form, posted twice at once (a double click)
        threads = [
            threading.Thread(target=run.create, args=(f"Twice {n}", f"e{n}-{os.getpid()}", key))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # two tabs: the same site asked for twice, each form with its own key
        threads = [
            threading.Thread(target=run.create, args=(f"Tabs {n}", f"t{n}-{os.getpid()}"))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    run.fault()


SCENARIOS = {
    "a": ("a: 20% transient faults + lost replies", scenario_a),
    "b": ("b: worker kill -9 while creating", scenario_b),
    "c": ("c: Redis killed, restarted empty", scenario_c),
    "d": ("d: simulator killed, restarted", scenario_d),
    "e": ("e: same form twice at once, two tabs", scenario_e),
}


def main(argv: list[str] | None = None) -> int:
    from chaos_report import judge, print_table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count")
    parser.add_argument("--scenarios", default="a,b,c,d,e", help="comma separated, e.g. a,e")
    parser.add_argument("--step-seconds", type=float, default=0.5, help="simulator step")
    parser.add_argument("--timeout", type=float, default=420, help="seconds per scenario")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--json", type=Path, help="also write the results here")
    options = parser.parse_args(argv)
    names = [n.strip() for n in options.scenarios.split(",") if n.strip()]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown or options.scale <= 0:
        parser.error(f"scenarios are among {','.join(SCENARIOS)}; scale is above 0")
    harness = Harness(ROOT / "var" / f"chaos-{os.getpid()}", options.step_seconds, options.seed)
    results = []
    try:
        harness.start()
        setup_django(harness)
        account, user = make_account()
        database = os.environ["DATABASE_URL"].split(":", 1)[0]
        step = options.step_seconds
        print(f"chaos: database {database}, simulator step {step:g} s "
              f"(Gandi's own time {3 * step:g} s), scale {options.scale:g}")  # fmt: skip
        for name in names:
            title, scenario = SCENARIOS[name]
            run = Run(name, harness, account, user, options.timeout)
            started = time.time()
            scenario(run, options.scale)
            run.wait_final()
            result = judge(run, title, time.time() - started, options.step_seconds)
            print_table(result)
            results.append(result)
    finally:
        harness.stop()
    if options.json:
        options.json.write_text(json.dumps(results, indent=2, default=str))
    bad = sum(r["duplicates"] + r["wrong"] + r["lost"] for r in results)
    if bad or len(results) < len(names):
        print(f"\nchaos: logs of the processes kept in {harness.workdir}")
        return 1
    shutil.rmtree(harness.workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

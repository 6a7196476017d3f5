"""`make bench`: every benchmark of bench/, one after the other, each printing its tables.

    .venv/bin/python bench/run.py [--quick] [--only lists_bench,browser_feedback_bench]

- lists_bench: sites, operations and audit lists at 1,000 / 10,000 / 50,000 rows (--quick:
  1,000 and 10,000) next to the Django admin changelist of the same rows;
- feedback_bench: database DONE → the open page shows Done, next to the former fixed refresh;
- browser_feedback_bench: DONE at Gandi → DONE shown in Chromium, end to end, real processes;
- sync_bench, calls_bench: sync and Gandi calls per create;
- client_throughput: the Gandi client against the simulator, batched polling vs per-operation;
- api_bench: the API's sites list at 10,000 sites (first page, median and queries) next to the page.

Each bench runs in a process of its own (each sets Django up its own way), and one that fails
does not stop the others. PostgreSQL when DATABASE_URL points at it: every bench works in a
`test_…` database of its own, never the one named (run.py makes one for the benches that use
DATABASE_URL as given, and drops it after); else SQLite files under var/.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

BENCH = Path(__file__).resolve().parent

# (bench, arguments, arguments with --quick, whether run.py gives it a test_ database)
BENCHES = [
    ("lists_bench", [], ["--quick"], False),
    ("feedback_bench", [], ["--operations", "10"], False),
    ("browser_feedback_bench", [], ["--operations", "8"], False),
    ("sync_bench", [], ["--sizes", "1000,10000"], True),
    ("calls_bench", [], ["--creates", "100", "--queued", "100"], True),
    ("client_throughput", [], ["--operations", "300"], False),
    ("api_bench", [], ["--quick"], False),
]


@contextlib.contextmanager
def own_database(name: str):
    """DATABASE_URL for the bench: on PostgreSQL a fresh `test_<db>_<bench>`, dropped after."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield url or None
        return
    import psycopg

    parts = urllib.parse.urlsplit(url)
    database = f"test_{parts.path.lstrip('/') or 'portal'}_{name}"
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
        connection.execute(f'CREATE DATABASE "{database}"')
    try:
        yield parts._replace(path=f"/{database}").geturl()
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def run_one(name: str, argv: list[str], own_db: bool) -> bool:
    print(f"\n== {name} {' '.join(argv)}".rstrip(), flush=True)
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        env = dict(os.environ)
        if own_db and (url := stack.enter_context(own_database(name))):
            env["DATABASE_URL"] = url
        done = subprocess.run([sys.executable, str(BENCH / f"{name}.py"), *argv], env=env)
    ok = done.returncode == 0
    status = "" if ok else f", FAILED with exit status {done.returncode}"
    print(f"({name}: {time.perf_counter() - started:.0f} s{status})", flush=True)
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a fast run")
    parser.add_argument("--only", help="comma-separated bench names, e.g. lists_bench")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    failed = [
        name
        for name, full, quick, own_db in BENCHES
        if (only is None or name in only)
        and not run_one(name, quick if args.quick else full, own_db)
    ]
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")
    if failed:
        raise SystemExit(f"benches that failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()

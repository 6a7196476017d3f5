"""`make bench`: every benchmark of bench/, one after the other, each printing its tables.

    .venv/bin/python bench/run.py [--quick]

- lists_bench: sites, operations and audit lists at 1,000 / 10,000 / 50,000 rows (--quick:
  1,000 and 10,000) next to the Django admin changelist of the same rows;
- feedback_bench: database DONE → the open page shows Done, next to the former fixed refresh;
- sync_bench, calls_bench: sync and Gandi calls per create (when present in bench/);
- client_throughput: the Gandi client against the simulator, batched polling vs per-operation;
- api_bench: the API's sites list at 10,000 sites (first page, median and queries) next to the page.

PostgreSQL when DATABASE_URL points at it (each bench uses a `test_…` database of its own),
else SQLite files under var/. Never the development database.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

# (module, arguments for its main(), arguments with --quick); optional ones may be absent.
BENCHES = [
    ("lists_bench", [], ["--quick"]),
    ("feedback_bench", [], ["--operations", "10"]),
    ("sync_bench", [], ["--quick"]),
    ("calls_bench", [], ["--quick"]),
    ("client_throughput", [], ["--operations", "300"]),
    ("api_bench", [], ["--quick"]),
]
OPTIONAL = {"sync_bench", "calls_bench"}


def run_one(name: str, argv: list[str]) -> None:
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if name in OPTIONAL and exc.name == name:
            print(f"\n== {name}: not in bench/ yet, skipped")
            return
        raise
    print(f"\n== {name} {' '.join(argv)}".rstrip(), flush=True)
    started = time.perf_counter()
    saved = sys.argv
    sys.argv = [f"{name}.py", *argv]  # for main() functions that read sys.argv themselves
    try:
        module.main()
    except SystemExit as exc:  # a bench that stops with a message does not stop the others
        if exc.code not in (None, 0):
            print(f"{name} stopped: {exc.code}")
    finally:
        sys.argv = saved
    print(f"({name}: {time.perf_counter() - started:.0f} s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a fast run")
    parser.add_argument("--only", help="comma-separated bench names, e.g. lists_bench")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    for name, full, quick in BENCHES:
        if only is None or name in only:
            run_one(name, quick if args.quick else full)


if __name__ == "__main__":
    main()

"""The API's sites list next to the HTML list: first page, median time and queries.

Seeds one team with lists_bench's World (sites with two vhosts, one in ten rows in another
team) and times, with Django's test client, GET /api/v1/sites/ with a read-only token
(first page, a search, a filter, a sort, the next cursor page) next to the Sites page.

    .venv/bin/python bench/api_bench.py [--quick] [--sizes 10000] [--repeat 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import lists_bench  # the seeding and the bench database

# Nothing is mailed here; DEBUG=False otherwise refuses the console backend.
os.environ.setdefault("EMAIL_ALLOW_CONSOLE", "True")


def measure(client, url: str, repeat: int) -> tuple[float, int]:
    from django.db import connection

    response = client.get(url)  # warm-up, and a check that it works
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.content[:200]!r}")
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):  # the test client's request resets queries_log
        client.get(url)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), len(queries)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 rows")
    parser.add_argument("--sizes", default="10000", help="comma-separated row counts")
    parser.add_argument("--repeat", type=int, default=9, help="timed requests per figure")
    args = parser.parse_args(argv)
    sizes = [1_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    with lists_bench.bench_database() as connection:
        from django.test import Client
        from rest_framework.test import APIClient

        from sites_app.models import ApiToken

        print(f"api bench on {connection.vendor}")
        world = lists_bench.World()
        _row, token = ApiToken.issue(
            team=world.team, user=world.owner, name="bench", access="read", days=1, networks=[]
        )
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        page = Client()
        page.force_login(world.owner)
        rows = []
        for size in sizes:
            world.grow_to(size)
            first = api.get("/api/v1/sites/").json()
            shop = f"shop{first['results'][3]['gandi_id']}.example"
            figures = [
                ("HTML list, first page", page, "/sites/"),
                ("API list, first page", api, "/api/v1/sites/"),
                ("API list, next page (cursor)", api, first["next"]),
                ("API search (vhost)", api, f"/api/v1/sites/?q={shop}"),
                ("API filter (state)", api, "/api/v1/sites/?state=being_updated"),
                ("API sort (expires)", api, "/api/v1/sites/?sort=paid_until"),
                ("HTML search (vhost)", page, f"/sites/?q={shop}"),
            ]
            for label, client, url in figures:
                ms, queries = measure(client, url, args.repeat)
                rows.append((size, label, ms, queries))
        print(f"\nsites list: median ms over {args.repeat} requests, and SQL queries")
        print("rows | figure | median ms | queries")
        print("--- | --- | --- | ---")
        for size, label, ms, queries in rows:
            print(f"{size:,} | {label} | {ms:.1f} | {queries}")


if __name__ == "__main__":
    main()

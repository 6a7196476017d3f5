"""What the sites, operations and audit lists cost as the data grows, next to Django's admin.

Seeds one team in bulk (sites with two vhosts each, as many operations and audit events) in a
database of its own, then times each page with Django's test client at every size: the
portal's list (first page, search, filter, sort) and the Django admin changelist of the same
rows. Prints one table per list with the ratios the goals name:
  50k/1k  the median at the largest size over the same at the smallest (goal ≤ 1.3);
  /admin  the median at 10,000 over the admin changelist's at 10,000 (goal ≤ 0.5).

PostgreSQL when DATABASE_URL points at it (a `test_…` database created and dropped for the
run, never the one named), else a SQLite file under var/ that is replaced each run.

    .venv/bin/python bench/lists_bench.py [--quick] [--sizes 1000,10000,50000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FULL_SIZES = [1_000, 10_000, 50_000]
QUICK_SIZES = [1_000, 10_000]
PACKAGES = ["personal", "professional", "business"]
ACTIONS = ["site.create", "site.update_vhosts", "site.upgrade", "auth.login", "site.sync"]
# The filtered states are uncommon but fill a first page at every size (sites: 25 a page,
# operations: 50), so a filter's figure compares the same page at 1,000 and at 50,000 rows. A
# filter matching 2 rows at 1,000 and 100 at 50,000 would time a page of 2 against one of 25.
RARE_SITE_STATE_EVERY = 30  # one site in 30 "being_updated": 30 of the team's 900 at 1,000
RARE_FAILED_EVERY = 15  # one operation in 15 failed: 60 of the team's 900 at 1,000
_redis = None
_configured: list[bool] = []


def configure_django() -> None:
    """Settings for a bench: its own database and a private Redis (once per process)."""
    global _redis
    if _configured:
        return
    _configured.append(True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "False")
    os.environ.setdefault("EMAIL_ALLOW_CONSOLE", "True")  # a bench sends no mail
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    os.environ.setdefault("HTTPS", "False")
    os.environ.setdefault("STATIC_MANIFEST", "False")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("SQLITE_TEST_NAME", str(ROOT / "var" / "bench-lists.sqlite3"))
    os.environ["CACHE_KEY_PREFIX"] = f"bench-{os.getpid()}"
    if not os.environ.get("ENCRYPTION_KEYS"):
        from cryptography.fernet import Fernet

        os.environ["ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    if not os.environ.get("REDIS_URL"):
        from portal import private_redis

        port = private_redis.free_port()
        _redis = private_redis.start(port, ROOT / "var" / "bench-redis")
        atexit.register(_redis.terminate)
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
    (ROOT / "var").mkdir(exist_ok=True)
    import django

    django.setup()


@contextlib.contextmanager
def bench_database():
    """A database of the bench's own (`test_…` of DATABASE_URL's, or var/bench-lists.sqlite3),
    migrated, dropped afterwards."""
    configure_django()
    from django.db import connection
    from django.test.utils import setup_test_environment

    if not _configured[1:]:
        setup_test_environment()  # adds "testserver" to ALLOWED_HOSTS for the test client
        _configured.append(True)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


class World:
    """The seeded team: one owner (who browses the portal) and one superuser (for the admin)."""

    def __init__(self) -> None:
        from django.contrib.auth import get_user_model

        from sites_app.models import GandiAccount, Membership, Role, Team

        user_model = get_user_model()
        self.team = Team.objects.create(name="Bench agency")
        self.other = Team.objects.create(name="Another agency")
        self.owner = user_model.objects.create_user("bench-owner", password="x")
        self.admin = user_model.objects.create_superuser("bench-admin", password="x")
        Membership.objects.create(team=self.team, user=self.owner, role=Role.OWNER)
        self.accounts = []
        for team in (self.team, self.other):
            for n in range(3):
                account = GandiAccount(team=team, name=f"{team.name} account {n}")
                account.set_api_key(f"bench-key-{team.pk}-{n}-0123456789")
                account.save()
                self.accounts.append(account)
        self.seeded = 0

    def grow_to(self, size: int) -> None:
        """Add sites (2 vhosts each), operations and audit events until there are `size` each.

        Nine in ten rows go to the benched team, one in ten to another team, so every
        query has to scope by team as it does in production.
        """
        from django.utils import timezone

        from sites_app.models import AuditEvent, Operation, Site, VirtualHost

        # Rows get spread-out creation times, as a long history would have (while seeding
        # only: the portal's own writes keep their automatic times).
        now = timezone.now()
        fields = [m._meta.get_field("created_at") for m in (Operation, AuditEvent)]
        for created_at in fields:
            created_at.auto_now_add = False
        try:
            batch = 5_000
            for start in range(self.seeded, size, batch):
                numbers = range(start, min(size, start + batch))
                sites = [self._site(n, now) for n in numbers]
                Site.objects.bulk_create(sites, batch_size=1_000)
                sites = list(Site.objects.filter(gandi_id__in=list(numbers)).order_by("gandi_id"))
                VirtualHost.objects.bulk_create(
                    [
                        vhost
                        for site in sites
                        for vhost in (
                            VirtualHost(site=site, name=site.parking_vhost, position=0),
                            VirtualHost(
                                site=site, name=f"www.shop{site.gandi_id}.example", position=1
                            ),
                        )
                    ],
                    batch_size=2_000,
                )
                Operation.objects.bulk_create(
                    [self._operation(site, now) for site in sites], batch_size=1_000
                )
                AuditEvent.objects.bulk_create(
                    [self._event(site, now) for site in sites], batch_size=1_000
                )
        finally:
            for created_at in fields:
                created_at.auto_now_add = True
        self.seeded = size
        self._analyze()

    def _account(self, n: int):
        team_accounts = self.accounts[:3] if n % 10 else self.accounts[3:]
        return team_accounts[n % 3]

    def _site(self, n: int, now):
        from sites_app.models import Site

        return Site(
            account=self._account(n),
            gandi_id=n,
            name=f"Site {n:06d}",
            provider="basekit_whitelabel",
            package=PACKAGES[n % 3],
            state="being_updated" if n % RARE_SITE_STATE_EVERY == 7 else "active",
            parking_vhost=f"s{n}.basekit-site.example",
            preferred_vhost=f"s{n}.basekit-site.example",
            date_created=now - timedelta(minutes=n),
            paid_until=now + timedelta(hours=(n * 7919) % 20_000),
            last_synced_at=now,
        )

    def _operation(self, site, now):
        from sites_app.models import Operation, OperationStatus

        n = site.gandi_id
        return Operation(
            account=site.account,
            kind="create",
            site=site,
            site_name=site.name,
            idempotency_key=f"bench-{n}",
            status=OperationStatus.FAILED if n % RARE_FAILED_EVERY == 3 else OperationStatus.DONE,
            gandi_step="DONE",
            deadline=now,
            created_at=now - timedelta(minutes=n),
        )

    def _event(self, site, now):
        from sites_app.models import AuditEvent

        n = site.gandi_id
        return AuditEvent(
            team=site.account.team,
            actor=self.owner,
            actor_label=self.owner.username if n % 7 else "someone-else",
            action=ACTIONS[n % len(ACTIONS)],
            object_type="site",
            object_id=str(site.pk),
            object_label=site.name,
            created_at=now - timedelta(minutes=n),
        )

    def _analyze(self) -> None:
        """What autovacuum does after a bulk insert. On PostgreSQL that is VACUUM too: until it
        runs, new entries of the trigram (GIN) indexes wait in a pending list that every search
        reads through (a vhost search at 50,000 rows took 9.3 ms of SQL before, 2.8 ms after)."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def figures(world: World) -> dict[str, list[tuple[str, str, str]]]:
    """Per list: (figure, portal URL, admin changelist URL of the same rows)."""
    from sites_app.models import Site

    probe = Site.objects.filter(account__team=world.team).order_by("gandi_id")[42]
    shop = f"shop{probe.gandi_id}.example"  # one host, as a person looking for it types
    return {
        "sites": [
            ("first page", "/sites/", "/admin/sites_app/site/"),
            ("search (vhost)", f"/sites/?q={shop}", f"/admin/sites_app/site/?q={shop}"),
            (
                "filter (state)",
                "/sites/?state=being_updated",
                "/admin/sites_app/site/?state__exact=being_updated",
            ),
            ("sort (expires)", "/sites/?sort=paid_until", "/admin/sites_app/site/?o=6"),
        ],
        "operations": [
            ("first page", "/operations/", "/admin/sites_app/operation/"),
            ("table fragment", "/operations/table/", "/admin/sites_app/operation/"),
            (
                "filter (status)",
                "/operations/?status=failed",
                "/admin/sites_app/operation/?status__exact=failed",
            ),
            (
                "filter (site)",
                f"/operations/?site={probe.pk}",
                f"/admin/sites_app/operation/?q={probe.name.replace(' ', '+')}",
            ),
        ],
        "audit": [
            ("first page", "/audit/", "/admin/sites_app/auditevent/"),
            (
                "filter (action)",
                "/audit/?action=site.upgrade",
                "/admin/sites_app/auditevent/?action__exact=site.upgrade",
            ),
            (
                "search (object)",
                f"/audit/?object={probe.name.replace(' ', '+')}",
                f"/admin/sites_app/auditevent/?q={probe.name.replace(' ', '+')}",
            ),
            (
                "filter (person)",
                "/audit/?person=someone-else",
                "/admin/sites_app/auditevent/?q=someone-else",
            ),
        ],
    }


def median_ms(client, url: str, repeat: int) -> float:
    response = client.get(url)  # warm-up, and a check that the page works
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        timings.append((time.perf_counter() - started) * 1000)
    # min: on a machine shared with other work, the least disturbed request.
    return min(timings) if ARGS.stat == "min" else statistics.median(timings)


def print_tables(results: dict, sizes: list[int], lists: dict) -> None:
    small, large = sizes[0], sizes[-1]
    mid = 10_000 if 10_000 in sizes else sizes[-1]
    for list_name, rows in lists.items():
        print(f"\n{list_name} list: {ARGS.stat} ms over {ARGS.repeat} requests")
        head = [f"{s:,}" for s in sizes]
        columns = ["figure", *head, f"{large:,}/{small:,}", f"admin@{mid:,}", "/admin"]
        print(" | ".join(columns))
        print(" | ".join("---" for _ in columns))
        for label, _url, _admin in rows:
            ours = [results[(list_name, label, "portal", s)] for s in sizes]
            admin = results[(list_name, label, "admin", mid)]
            print(
                " | ".join(
                    [
                        label,
                        *(f"{v:.1f}" for v in ours),
                        f"{ours[-1] / ours[0]:.2f}",
                        f"{admin:.1f}",
                        f"{ours[sizes.index(mid)] / admin:.2f}",
                    ]
                )
            )
        print("admin changelist: " + ", ".join(
            f"{label} " + " / ".join(
                f"{results[(list_name, label, 'admin', s)]:.0f}" for s in sizes
            ) for label, _u, _a in rows
        ))  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 rows only")
    parser.add_argument("--sizes", help="comma-separated row counts, e.g. 1000,5000")
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per figure")
    parser.add_argument(
        "--stat", choices=["median", "min"], default="median", help="figure of the requests"
    )
    ARGS = parser.parse_args(argv)
    sizes = (
        [int(s) for s in ARGS.sizes.split(",")]
        if ARGS.sizes
        else (QUICK_SIZES if ARGS.quick else FULL_SIZES)
    )
    with bench_database() as connection:
        from django.test import Client

        print(f"lists bench on {connection.vendor} ({connection.settings_dict['NAME']})")
        world = World()
        portal, admin = Client(), Client()
        portal.force_login(world.owner)
        admin.force_login(world.admin)
        results: dict = {}
        lists = None
        for size in sizes:
            started = time.perf_counter()
            world.grow_to(size)
            print(f"seeded {size:,} rows of each kind in {time.perf_counter() - started:.1f} s")
            lists = figures(world)
            for list_name, rows in lists.items():
                for label, url, admin_url in rows:
                    results[(list_name, label, "portal", size)] = median_ms(
                        portal, url, ARGS.repeat
                    )
                    results[(list_name, label, "admin", size)] = median_ms(
                        admin, admin_url, ARGS.repeat
                    )
        print_tables(results, sizes, lists)


ARGS = argparse.Namespace(repeat=7, stat="median")

if __name__ == "__main__":
    main()

"""Lists whose cost does not grow with the data (issue 12): same queries at any size, pages
that end where the rows do, search through indexes, counts that stop counting."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sites_app.models import AuditEvent, Operation, OperationStatus, Site, VirtualHost
from sites_app.services.site_search import search
from sites_app.views.paging import capped_count

pytestmark = pytest.mark.django_db


def seed(account, alice, upto: int, start: int = 0) -> None:
    """Sites with two vhosts each, one operation and one audit event per site, in bulk."""
    now = timezone.now()
    numbers = range(start, upto)
    Site.objects.bulk_create(
        Site(
            account=account,
            gandi_id=5000 + n,
            name=f"Site {n:04}",
            package="business" if n % 3 else "personal",
            state="active",
            paid_until=now + timedelta(days=n),
        )
        for n in numbers
    )
    sites = list(Site.objects.filter(account=account, gandi_id__gte=5000 + start))
    VirtualHost.objects.bulk_create(
        vhost
        for site in sites
        for vhost in (
            VirtualHost(site=site, name=f"s{site.gandi_id}.basekit-site.example", position=0),
            VirtualHost(site=site, name=f"www.shop{site.gandi_id}.example", position=1),
        )
    )
    Operation.objects.bulk_create(
        Operation(
            account=account,
            kind="create",
            site=site,
            site_name=site.name,
            idempotency_key=f"scale-{site.gandi_id}",
            status=OperationStatus.FAILED if site.gandi_id % 4 else OperationStatus.DONE,
            deadline=now,
        )
        for site in sites
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            team=account.team,
            actor=alice,
            actor_label=alice.username,
            action="site.create",
            object_type="site",
            object_id=str(site.pk),
            object_label=site.name,
        )
        for site in sites
    )


def queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


LIST_URLS = [
    "/sites/",
    "/sites/?q=shop5007",
    "/sites/?package=business&sort=-paid_until",
    "/operations/",
    "/operations/?status=failed",
    "/operations/table/",
    "/audit/",
    "/audit/?action=site.create&object=Site+0007",
]


def test_each_list_runs_the_same_queries_at_60_and_at_400_rows(client_for, alice, account):
    # Both sizes fill more than a page of every list, so both count the filtered rows.
    client = client_for(alice)
    seed(account, alice, 60)
    small = {url: queries(client, url) for url in LIST_URLS}
    seed(account, alice, 400, start=60)
    for url in LIST_URLS:
        assert len(queries(client, url)) == len(small[url]), url


def test_the_polled_operations_table_does_not_read_the_sites(client_for, alice, account):
    seed(account, alice, 5)
    sql = " ".join(queries(client_for(alice), "/operations/table/"))
    assert "DISTINCT" not in sql.upper()
    assert 'FROM "sites_app_site"' not in sql  # sites come joined to their operations only


def test_pages_end_where_the_rows_do(client_for, alice, account):
    seed(account, alice, 50)
    client = client_for(alice)
    first = client.get(reverse("site_list"))
    assert len(first.context["page"].object_list) == 25
    assert 'href="?page=2">Next</a>' in first.content.decode()
    second = client.get(reverse("site_list"), {"page": 2})
    assert [s.name for s in second.context["page"].object_list][-1] == "Site 0049"
    html = second.content.decode()
    assert ">Next</a>" not in html and 'href="?page=1">Previous</a>' in html

    seed(account, alice, 51, start=50)
    third = client.get(reverse("site_list"), {"page": 3})
    assert [s.name for s in third.context["page"].object_list] == ["Site 0050"]
    # Past the end (rows went away since the link was made): the first page, not an error.
    past = client.get(reverse("site_list"), {"page": 9})
    assert past.status_code == 200 and past.context["page"].number == 1


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("abc", "“abc” is not a page number; showing the first page."),
        ("0", "Page numbers start at 1; showing the first page."),
        ("99999999999999999999", "Only the first 400 pages can be shown"),
    ],
)
def test_a_bad_page_number_says_so_and_shows_the_first_page(
    client_for, alice, account, page, message
):
    seed(account, alice, 3)
    for url in ("site_list", "operation_list", "audit_log"):
        response = client_for(alice).get(reverse(url), {"page": page})
        assert response.status_code == 200
        assert message in response.content.decode(), url


def test_a_site_is_found_once_by_a_vhost_even_when_several_match(client_for, alice, account):
    site = Site.objects.create(account=account, gandi_id=1, name="Fruit")
    VirtualHost.objects.create(site=site, name="www.pear-shop.example", position=0)
    VirtualHost.objects.create(site=site, name="pear-shop.example", position=1)
    Site.objects.create(account=account, gandi_id=2, name="Vegetables")
    response = client_for(alice).get(reverse("site_list"), {"q": "PEAR-shop"})
    assert [s.name for s in response.context["page"].object_list] == ["Fruit"]
    assert "1 shown of 2" in response.content.decode()


def test_the_count_stops_at_its_cap_and_says_there_are_more(alice, account):
    seed(account, alice, 12)
    assert capped_count(Site.objects.all(), cap=10) == (10, True)
    assert capped_count(Site.objects.all(), cap=12) == (12, False)


def test_the_audit_log_says_how_many_events_match(client_for, alice, account):
    seed(account, alice, 3)
    html = client_for(alice).get(reverse("audit_log"), {"object": "site"}).content.decode()
    assert "3 events, newest first" in html


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only"
)
def test_search_by_vhost_and_name_uses_the_trigram_indexes_on_postgresql(alice, account):
    seed(account, alice, 30)
    with connection.cursor() as cursor:
        # Tiny tables: ask which index each lookup of the search would use on a big one.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
    try:
        by_vhost = VirtualHost.objects.filter(name__contains="shop5007").order_by().explain()
        by_name = Site.objects.filter(name__icontains="Site 0007").order_by().explain()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_indexscan")
    assert "Bitmap Index Scan on vhost_name_trgm" in by_vhost
    assert "Bitmap Index Scan on site_name_trgm" in by_name
    assert [s.name for s in search(Site.objects.present(), "shop5007")] == ["Site 0007"]


def test_on_sqlite_search_falls_back_to_a_plain_scan(alice, account):
    if connection.vendor != "sqlite":
        pytest.skip("the fallback is SQLite's")
    seed(account, alice, 30)
    assert [s.name for s in search(Site.objects.present(), "shop5007")] == ["Site 0007"]

"""The sites list's cursor pages by date: every site once, in order, those without the date
(Gandi has not given it yet) after all the others, forwards and back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sites_app.models import Site
from tests.api.conftest import api_client, make_account, make_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def sites(team, alice, simulator, gandi_settings, other_team) -> list[Site]:
    """Two accounts of the team with the same Gandi ids, dates shared by several sites, a
    third of them with no paid-until date, and a removed site and another team's site."""
    first = make_account(team, simulator, name="First")
    second = make_account(team, simulator, name="Second")
    now = timezone.now().replace(microsecond=0)
    made = []
    for n in range(18):
        for account in (first, second):
            paid = None if n % 3 == 0 else now + timedelta(days=n // 4)
            made.append(
                Site.objects.create(account=account, gandi_id=n, name=f"Site {n}", paid_until=paid)
            )
    Site.objects.create(account=first, gandi_id=99, name="Removed", removed_at=now)
    elsewhere = make_account(other_team, simulator, name="Elsewhere")
    Site.objects.create(account=elsewhere, gandi_id=5, name="Not ours", paid_until=now)
    return made


def walk(api, url: str, params: dict | None = None, link: str = "next") -> list[dict]:
    rows, pages = [], 0
    response = api.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows.append(body["results"])
        pages += 1
        assert pages < 50, "the pages never end"
        if not body[link]:
            return rows
        response = api.get(body[link])


def expected(sites: list[Site], descending: bool) -> list[int]:
    dated = sorted(
        (s for s in sites if s.paid_until), key=lambda s: (s.paid_until, s.gandi_id, s.pk)
    )
    undated = sorted((s for s in sites if not s.paid_until), key=lambda s: (s.gandi_id, s.pk))
    if descending:
        dated.reverse()
        undated.reverse()
    return [s.pk for s in dated + undated]


@pytest.mark.parametrize("sort", ["paid_until", "-paid_until"])
def test_paging_by_expiry_gives_every_site_once_with_undated_ones_last(sites, alice, team, sort):
    api = api_client(make_token(alice, team)[1])
    pages = walk(api, reverse("api:site-list"), {"sort": sort, "page_size": 5})
    seen = [row["id"] for page in pages for row in page]
    assert seen == expected(sites, descending=sort.startswith("-"))
    assert all(len(page) == 5 for page in pages[:-1])
    undated = [row for page in pages for row in page if row["paid_until"] is None]
    assert undated == [row for page in pages for row in page][-len(undated) :]


@pytest.mark.parametrize("sort", ["paid_until", "-paid_until", "date_created", "name"])
def test_the_previous_links_walk_the_same_pages_back(sites, alice, team, sort):
    api = api_client(make_token(alice, team)[1])
    forward = walk(api, reverse("api:site-list"), {"sort": sort, "page_size": 7})
    last = api.get(reverse("api:site-list"), {"sort": sort, "page_size": 7})
    for _ in forward[1:]:
        last = api.get(last.json()["next"])
    back = walk(api, last.json()["previous"], link="previous")
    ids = lambda pages: [[row["id"] for row in page] for page in pages]  # noqa: E731
    assert ids(back) == ids(forward[:-1])[::-1]


def test_a_cursor_that_is_not_one_of_ours_is_a_404_problem(sites, alice, team):
    api = api_client(make_token(alice, team)[1])
    url = reverse("api:site-list")
    page = api.get(url, {"sort": "paid_until", "page_size": 2}).json()
    cursor = page["next"].split("cursor=")[1].split("&")[0]
    # A date sort's cursor given to the name sort, and a made-up one.
    for params in ({"sort": "name", "cursor": cursor}, {"cursor": "cD1bMSwyXQ=="}):
        response = api.get(url, params)
        assert response.status_code == 404, response.content
        assert response["Content-Type"] == "application/problem+json"

"""Every page of the portal, on a desktop and on a 390 px phone (issue 10, item 7).

Walks the URL list of the permission matrix (tests/matrix/) as the team's owner, with a
100-character team name and long object names: no page scrolls sideways, and axe-core
(vendored under tests/browser/vendor/axe-core/) finds 0 violations, desktop and phone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from tests.fixtures.personas import PASSWORD
from tests.matrix import PUBLIC, World, load_all

pytestmark = pytest.mark.django_db(transaction=True)

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LONG_TEAM_NAME = ("Cooperative of the independent booksellers of the lower valley " * 2)[:100]

# Not a page: a CSV file. (htmx fragments are recognised by having no <main>.)
NOT_PAGES = {"audit_export"}


def page_urls(world: World) -> list[str]:
    urls = []
    for name, route in sorted(load_all().items()):
        if route.get in (None, PUBLIC) or name in NOT_PAGES or not route.outsider_404:
            continue
        kwargs = route.kwargs(world) if route.kwargs else {}
        urls.append(reverse(name, kwargs=kwargs))
    return urls


def sideways(page) -> int:
    """How many pixels the page is wider than the window."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def axe_violations(page) -> list[str]:
    # Evaluated rather than added as a <script> element: the page's CSP forbids inline code.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.html)}))"
    )
    return [json.dumps(v) for v in found]


@pytest.fixture
def world(db):
    world = World.build()
    world.team.name = LONG_TEAM_NAME
    world.team.save()
    owner = world.users["owner"]
    owner.set_password(PASSWORD)
    owner.save()
    return world


def test_no_page_scrolls_sideways_or_fails_axe_on_a_desktop_or_a_phone(page, login, world):
    login(page, world.users["owner"])
    problems = []
    for url in page_urls(world):
        response = page.goto(url)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        if not page.evaluate("!!document.querySelector('main')"):
            continue  # an htmx fragment, checked inside its page
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            # The page's resize handlers have run once a frame is drawn at the new size.
            page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")
            if (extra := sideways(page)) > 0:
                problems.append(f"{url} ({label}): {extra} px wider than the window")
            problems += [f"{url} ({label}): axe {v}" for v in axe_violations(page)]
    assert not problems, "\n".join(problems)

"""Journey 8, the list of operations: filters that forgive a bad value, a site chosen by name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sites_app.models import Operation, OperationKind
from sites_app.services.operations import request_operation

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sites_operations(account, alice):
    from sites_app.models import Site

    ops = []
    for n, name in enumerate(["Alpha", "Beta"]):
        site = Site.objects.create(account=account, gandi_id=900 + n, name=name)
        op, _ = request_operation(
            account=account,
            kind=OperationKind.DELETE,
            user=alice,
            params={"name": name},
            idempotency_key=f"list-test-{n:04}",
            site=site,
        )
        ops.append(op)
    return ops


def test_a_bad_filter_is_named_and_the_good_ones_still_apply(
    client_for, alice, two_sites_operations, enqueued
):
    alpha, _beta = two_sites_operations
    response = client_for(alice).get(
        reverse("operation_list"), {"site": alpha.site_id, "account": "abc"}
    )
    assert [op.pk for op in response.context["page"].object_list] == [alpha.pk]
    assert "Ignored this filter: Account: Enter a whole number." in response.content.decode()


def test_a_site_chosen_from_its_page_is_named_with_a_way_back_to_every_site(
    client_for, alice, two_sites_operations, enqueued
):
    alpha, beta = two_sites_operations
    html = client_for(alice).get(reverse("operation_list"), {"site": alpha.site_id}).content
    html = html.decode()
    # No menu of every site the team ever had (one <option> per site): the chosen one by name.
    # (by name: an id may equal another menu's option value, e.g. an account's)
    assert 'name="site"' in html and f">{beta.site.name}</option>" not in html
    assert 'data-testid="chosen-site">Alpha</span>' in html
    assert 'href="/operations/" data-testid="any-site"' in html
    assert Operation.objects.count() == 2


def test_the_site_page_links_to_all_its_operations(client_for, alice, two_sites_operations):
    alpha, _beta = two_sites_operations
    html = client_for(alice).get(reverse("site_detail", args=[alpha.site_id])).content.decode()
    assert f'href="/operations/?site={alpha.site_id}"' in html

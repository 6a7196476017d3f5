"""Every site, package and catalog method, against the simulator over real XML-RPC."""

from __future__ import annotations

from datetime import UTC, datetime

from sites_app.gandi.client import OperationInfo, Package, SiteInfo, SiteSummary

from .conftest import wait_until_final

PARKING = "basekit-site.example"


def create_site(client, name: str, vhosts: list[str] | None = None) -> SiteInfo:
    op = client.site_create(name=name, vhosts=vhosts or [f"{name.lower()}.{PARKING}"])
    assert wait_until_final(client, op.id).step == "DONE"
    found = client.find_site_by_name(name)
    assert found is not None
    return client.site_info(found.id)


def test_version_info_names_the_api_version(client):
    assert client.version_info()["api_version"].startswith("3.")


def test_a_new_account_has_no_sites(client):
    assert client.site_count() == 0
    assert client.site_list() == []


def test_creating_a_site_runs_an_operation_to_done_and_the_site_becomes_active(client):
    op = client.site_create(name="Bakery", vhosts=[f"bakery.{PARKING}"], duration="3m")

    assert isinstance(op, OperationInfo)
    assert op.type == "sitebuilder_create"
    assert op.step in {"BILL", "WAIT", "RUN", "DONE"}
    assert op.params["name"] == "Bakery"
    assert op.date_created is not None and op.date_created.tzinfo is UTC
    done = wait_until_final(client, op.id)
    assert done.step == "DONE"

    site = client.site_info(done.site_id)
    assert site.name == "Bakery"
    assert site.state == "active"
    assert site.vhosts == [f"bakery.{PARKING}"]
    assert site.parking_vhost == f"bakery.{PARKING}"
    assert site.package == "personal"
    assert site.provider == "basekit_whitelabel"
    assert site.date_end is not None and site.date_end > datetime.now(UTC)


def test_site_list_returns_summaries_with_the_preferred_vhost(client):
    create_site(client, "Alpha", ["www.alpha.test", f"alpha.{PARKING}"][1:])
    sites = client.site_list()

    assert len(sites) == 1
    assert isinstance(sites[0], SiteSummary)
    assert sites[0].vhost == f"alpha.{PARKING}"
    assert sites[0].date_created.tzinfo is UTC


def test_site_list_filters_sorts_and_pages(client):
    for name in ("Cherry", "Apple", "Banana"):
        client.site_create(name=name, vhosts=[f"{name.lower()}.{PARKING}"])

    assert [s.name for s in client.site_list(sort_by="name")] == ["Apple", "Banana", "Cherry"]
    assert [s.name for s in client.site_list({"~name": "%an%"})] == ["Banana"]
    assert [s.name for s in client.site_list(sort_by="name", page=1, per_page=2)] == ["Cherry"]
    assert client.site_count({"name": "Apple"}) == 1


def test_iter_sites_walks_every_page(client):
    for number in range(7):
        client.site_create(name=f"Site {number}", vhosts=[f"site{number}.{PARKING}"])

    names = [site.name for site in client.iter_sites(per_page=3)]

    assert names == [f"Site {number}" for number in range(7)]


def test_find_site_by_name_matches_the_exact_name_only(client):
    create_site(client, "Shop")

    assert client.find_site_by_name("Shop").name == "Shop"
    assert client.find_site_by_name("Sho") is None


def test_updating_vhosts_keeps_their_order(client):
    site = create_site(client, "Florist")
    new_vhosts = [f"flowers.{PARKING}", site.parking_vhost]

    op = client.site_update(site.id, vhosts=new_vhosts)
    assert op.type == "sitebuilder_update"
    assert wait_until_final(client, op.id).step == "DONE"

    assert client.site_info(site.id).vhosts == new_vhosts


def test_upgrading_the_package_is_quoted_then_applied(client):
    site = create_site(client, "Garage")
    above = client.package_list("basekit_whitelabel", above=site.package)
    prices = client.catalog_prices(
        provider="basekit_whitelabel", package=above[0].name, action="update"
    )

    assert above[0] == Package(name="professional", provider="basekit_whitelabel")
    assert prices[0].action == "update"
    assert prices[0].price > 0
    assert prices[0].currency == "EUR"
    op = client.site_update(site.id, package="professional")
    assert wait_until_final(client, op.id).step == "DONE"
    assert client.site_info(site.id).package == "professional"


def test_package_list_without_filter_lists_every_offer(client):
    assert [p.name for p in client.package_list()] == ["personal", "professional", "business"]


def test_catalog_prices_for_a_provider_list_every_package_and_action(client):
    prices = client.catalog_prices(provider="basekit_whitelabel", currency="USD")
    descriptions = {p.description for p in prices}

    assert "basekit_whitelabel_business" in descriptions
    assert {p.currency for p in prices} == {"USD"}
    assert all(p.duration_unit == "m" and p.max_duration == 36 for p in prices)


def test_catalog_prices_for_a_create_of_given_duration(client):
    prices = client.catalog_prices(
        provider="basekit_whitelabel", package="personal", action="create", duration=3
    )

    assert len(prices) == 1
    assert prices[0].description == "basekit_whitelabel_personal"
    assert prices[0].action == "create"


def test_deleting_a_site_removes_it(client):
    site = create_site(client, "Old")

    op = client.site_delete(site.id)

    assert op.type == "sitebuilder_delete"
    assert wait_until_final(client, op.id).step == "DONE"
    assert client.find_site_by_name("Old") is None or client.site_count({"state": "active"}) == 0


def test_edit_url_is_a_link_to_the_builder(client, simulator):
    site = create_site(client, "Editable")

    url = client.site_edit_url(site.id)

    assert url.startswith(f"http://127.0.0.1:{simulator.port}/")
    assert client.site_edit_url(site.id) != url  # each link is single use


def test_site_info_accepts_an_id_as_text(client):
    site = create_site(client, "Textual")

    assert client.site_info(str(site.id)).id == site.id

"""The seed's calls (contract §10), written the way the seed writes them, run unchanged."""

import xmlrpc.client

from .conftest import create_site


def test_the_seeds_python_example_runs_unchanged_against_the_simulator(simulator):
    apikey = simulator.add_account(credit=500)
    api = xmlrpc.client.ServerProxy(simulator.url, allow_none=True, use_datetime=True)
    # The seed reads site 1 before creating anything: give the account its first site.
    simulator.publish_txt(
        "www.example.org",
        api.site.create(
            apikey, {"name": "Earlier", "vhosts": ["www.example.org"], "--dry-run": True}
        )[0]["attr"][1],
    )
    create_site(api, apikey, "Earlier", ["www.example.org"])

    version = api.version.info(apikey)
    assert "api_version" in version
    assert [s["name"] for s in api.site.list(apikey)] == ["Earlier"]
    assert api.site.count(apikey) == 1
    assert api.site.info(apikey, 1)["name"] == "Earlier"

    site_spec = {"name": "My Site", "vhosts": ["www.example.com"], "--dry-run": True}
    problems = api.site.create(apikey, site_spec)
    assert problems == [
        {
            "field": "vhosts",
            "field_type": None,
            "attr": ["www.example.com", problems[0]["attr"][1]],
            "reason": "You must put a TXT value in your zone",
        }
    ]
    txt = problems[0]["attr"][1]
    assert txt.startswith("vhost=") and len(txt) == len("vhost=") + 32
    int(txt.removeprefix("vhost="), 16)
    simulator.publish_txt("www.example.com", txt)

    site_spec = {
        "name": "My Site",
        "provider": "basekit_whitelabel",
        "vhosts": ["www.example.com"],
        "duration": "3m",
    }
    op = api.site.create(apikey, site_spec)
    assert op["type"] == "sitebuilder_create"
    while op["step"] not in ("DONE", "ERROR"):
        op = api.operation.info(apikey, op["id"])
    assert op["step"] == "DONE"

    site_id = api.site.list(apikey, {"name": "My Site"})[0]["id"]
    edit_url = api.site.edit(apikey, site_id)["edit_url"]
    assert edit_url.startswith("http://127.0.0.1:")

    parking = api.site.info(apikey, site_id)["parking_vhost"]
    op = api.site.update(apikey, site_id, {"vhosts": ["www.example.com", parking]})
    assert op["type"] == "sitebuilder_update"

    products = api.catalog.list(apikey, {"product": {"type": "site"}})
    assert {p["product"]["description"] for p in products} == {
        "basekit_whitelabel_personal",
        "basekit_whitelabel_professional",
        "basekit_whitelabel_business",
    }
    packages = api.site.package.list(apikey, {"provider": "basekit_whitelabel"})
    assert [p["name"] for p in packages] == ["personal", "professional", "business"]
    upgrade = api.site.package.list(
        apikey, {"provider": "basekit_whitelabel", ">name": "personal"}
    )[0]
    assert upgrade == {"name": "professional", "provider": "basekit_whitelabel"}

    quote = api.catalog.list(
        apikey,
        {
            "product": {"type": "site", "description": "basekit_whitelabel_professional"},
            "action": {"name": "update"},
        },
    )
    assert quote[0]["unit_price"][0]["price"] > 0
    assert quote[0]["unit_price"][0]["currency"] == "EUR"

    while op["step"] not in ("DONE", "ERROR"):
        op = api.operation.info(apikey, op["id"])
    op = api.site.delete(apikey, site_id)
    assert op["type"] == "sitebuilder_delete"


def test_operation_and_site_dates_arrive_as_datetimes_and_absent_values_as_nil(api, key):
    op = api.site.create(key, {"name": "Dates", "vhosts": ["dates.mine.example"]})

    assert op["date_start"] is None
    assert op["last_error"] is None
    site = api.site.info(key, op["site_id"])
    assert site["date_end"] > site["date_created"]
    assert site["date_created"].tzinfo is None  # compact iso8601, UTC by contract


def test_system_list_methods_names_every_method_of_the_contract(api):
    assert set(api.system.listMethods()) == {
        "version.info",
        "site.count",
        "site.list",
        "site.info",
        "site.create",
        "site.update",
        "site.delete",
        "site.edit",
        "site.package.list",
        "catalog.list",
        "operation.info",
        "operation.list",
        "operation.count",
        "operation.cancel",
        "system.listMethods",
    }

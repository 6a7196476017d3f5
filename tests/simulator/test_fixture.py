import xmlrpc.client


def test_the_fixture_serves_a_fresh_simulator_with_a_working_account(simulator):
    key = simulator.add_account(credit=50)
    api = xmlrpc.client.ServerProxy(simulator.url, allow_none=True, use_datetime=True)

    assert api.site.count(key) == 0
    assert simulator.calls()["site.count"] == 1


def test_gandi_settings_point_the_portal_at_the_simulator(gandi_settings, simulator):
    assert simulator.url == gandi_settings.GANDI_SIMULATOR_URL
    assert [simulator.dns_address] == gandi_settings.DNS_RESOLVERS

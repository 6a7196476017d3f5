import pytest

pytest_plugins = [
    "tests.fixtures.personas",
    "tests.fixtures.celery_worker",
    "tests.fixtures.simulator",
    "tests.fixtures.tls",
]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so fixtures can tell at teardown that it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report

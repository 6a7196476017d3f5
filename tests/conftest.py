pytest_plugins = [
    "tests.fixtures.personas",
    "tests.fixtures.celery_worker",
    "tests.fixtures.simulator",
]

"""The short chaos run of `make test`: `scripts/chaos.py` with small counts, a few scenarios.

The full suite is `make chaos` (README "Chaos suite"). This runs the same script, against a
real worker, beat, Redis and the simulator, and asserts what an operator must never see:
a duplicate mutation at Gandi, a wrong final state, or a request left unfinished.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = os.environ.get("CHAOS_SHORT_SCENARIOS", "e,d,c")
TEST_ONLY = ["REDIS_URL", "CELERY_TASK_DEFAULT_QUEUE", "CACHE_KEY_PREFIX", "SQLITE_TEST_NAME"]


@pytest.fixture
def chaos_database(tmp_path):
    """PostgreSQL when the tests run on it (a database of this test's own), else SQLite."""
    db = connection.settings_dict
    if not db["ENGINE"].endswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'chaos.sqlite3'}"
        return
    name = f"chaos_{uuid.uuid4().hex[:12]}"
    server = {"host": db["HOST"] or "localhost", "port": db["PORT"] or 5432,
              "user": db["USER"], "password": db["PASSWORD"] or None}  # fmt: skip
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    yield f"postgres://{auth}@{server['host']}:{server['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.worker
def test_a_short_chaos_run_has_no_duplicate_no_wrong_and_no_lost_request(chaos_database, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    env["DATABASE_URL"] = chaos_database
    results_path = tmp_path / "chaos.json"
    command = [sys.executable, str(ROOT / "scripts" / "chaos.py"), "--scenarios", SCENARIOS,
               "--scale", "0.2", "--timeout", "120", "--json", str(results_path)]  # fmt: skip
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    print(run.stdout[-6000:], run.stderr[-3000:])
    results = json.loads(results_path.read_text())
    assert [r["scenario"][0] for r in results] == SCENARIOS.split(",")
    for result in results:
        assert result["requested"] > 0, result
        assert result["duplicates"] == 0, result
        assert result["wrong"] == 0, result
        assert result["lost"] == 0, result
    assert run.returncode == 0

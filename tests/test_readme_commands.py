"""The README's commands work from a fresh clone as written (issue 10, item 9).

A fresh clone has no `.env` and no environment variables: `python manage.py ...` runs with the
development defaults, while the production entry points (gunicorn's portal.wsgi, Celery's
portal.celery) still refuse to start without their secrets.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    (ROOT / ".env").exists(), reason="a .env file is present: this is not a fresh clone"
)


def fresh_shell(*args: str, **extra: str) -> subprocess.CompletedProcess:
    """What a newcomer's shell has: PATH and HOME, none of the test suite's settings."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**env, **extra},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_simulator_help_of_the_readme_works_in_a_fresh_clone():
    result = fresh_shell("manage.py", "gandi_simulator", "--help")
    assert result.returncode == 0, result.stderr
    assert "--seed" in result.stdout
    assert "ImproperlyConfigured" not in result.stderr


def test_other_management_commands_work_in_a_fresh_clone():
    result = fresh_shell("manage.py", "check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_a_management_command_told_it_is_production_still_wants_its_secret():
    result = fresh_shell("manage.py", "check", DEBUG="False")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "code",
    ["import portal.wsgi", "from portal.celery import app; app.conf.broker_url"],
    ids=["gunicorn", "celery"],
)
def test_production_entry_points_refuse_to_boot_without_their_secrets(code):
    result = fresh_shell("-c", code)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr

"""The production unit files under deploy/systemd: restarted always, one beat, N workers."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # keys are case-sensitive in systemd
    parser.read(UNITS / name)
    return parser


def test_every_service_is_restarted_whenever_it_exits():
    services = sorted(p.name for p in UNITS.glob("*.service"))
    assert services == ["portal-beat.service", "portal-web.service", "portal-worker@.service"]
    for name in services:
        service = unit(name)["Service"]
        assert service["Restart"] == "always", name
        assert service["EnvironmentFile"] == "/etc/portal/portal.env", name


def test_web_is_gunicorn_workers_are_a_template_and_beat_is_one_unit():
    # with its config file: no Server banner, secret links kept out of the access log
    assert (
        "gunicorn -c deploy/gunicorn.conf.py" in unit("portal-web.service")["Service"]["ExecStart"]
    )
    worker = unit("portal-worker@.service")["Service"]["ExecStart"]
    assert "celery -A portal worker" in worker and "%i" in worker  # one name per instance
    beat = unit("portal-beat.service")["Service"]["ExecStart"]
    assert "celery -A portal beat" in beat
    # beat is not part of portal.target: it is enabled on one machine only
    assert "beat" not in unit("portal.target")["Unit"]["Wants"]


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    # The units name /opt/portal; point them at this checkout so the commands exist.
    for path in UNITS.iterdir():
        text = path.read_text().replace("/opt/portal", str(ROOT))
        text = text.replace("/etc/portal/portal.env", str(ROOT / ".env.example"))
        (tmp_path / path.name).write_text(text)
    shutil.copy(tmp_path / "portal-worker@.service", tmp_path / "portal-worker@1.service")
    names = ["portal-web.service", "portal-worker@1.service", "portal-beat.service",
             "portal.target"]  # fmt: skip
    run = subprocess.run([analyze, "verify", *names], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip() == "", run.stderr

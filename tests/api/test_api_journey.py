"""The README's script (scripts/api_example.py) against a real HTTP server, a real Celery
worker and the simulator: create a site with a token, follow it to DONE, delete it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from sites_app.models import AuditEvent, Operation, OperationStatus, Site
from tests.api.conftest import make_token

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "api_example.py"


def load_script():
    spec = importlib.util.spec_from_file_location("api_example", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_script_creates_and_deletes_a_site(
    alice, team, account, celery_worker_process, live_server, capsys
):
    _row, token = make_token(alice, team, name="readme script")
    script = load_script()
    assert script.main(live_server.url, token, name="Script shop") == 0
    out = capsys.readouterr().out
    assert "price: " in out and "create: 202" in out and "delete: 202" in out
    ops = Operation.objects.filter(site_name="Script shop").order_by("pk")
    assert [(o.kind, o.status) for o in ops] == [
        ("create", OperationStatus.DONE),
        ("delete", OperationStatus.DONE),
    ]
    assert Site.objects.get(name="Script shop").is_removed
    writes = AuditEvent.objects.filter(action="api.write", detail__token="readme script")
    assert writes.count() == 3  # the create asked for its price (409), confirmed, the delete

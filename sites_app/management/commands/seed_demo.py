"""Prepare the demo of `make run`: a demo login, a team, and a Gandi account on the simulator.

Idempotent: run it as often as you like. The password is new on every run and printed,
the simulator's demo API key is kept in var/demo-api-key so the simulator's state stays valid.
"""

import secrets
import string
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from sites_app.models import Endpoint, GandiAccount, Membership, Role, Team

ZONE_HEADER = """\
; The demo's DNS zone, served by the Gandi simulator's DNS server on 127.0.0.1:8753.
; To prove you own a domain, add the TXT record the portal shows you on a line of its own,
; exactly as shown, then press "Check DNS now". For example:
; www.example.com. 10800 IN TXT "vhost=2e5d8f0899053fffcd3ecf4ac5a6433b"
"""


def demo_api_key(var_dir: Path) -> str:
    path = var_dir / "demo-api-key"
    if path.exists():
        return path.read_text().strip()
    alphabet = string.ascii_letters + string.digits
    key = "".join(secrets.choice(alphabet) for _ in range(24))
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


class Command(BaseCommand):
    help = "Create (or refresh) the demo login, team and simulator Gandi account."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")

    @transaction.atomic
    def handle(self, *args, username: str, **options):
        var_dir = Path(settings.VAR_DIR)
        var_dir.mkdir(exist_ok=True)
        key = demo_api_key(var_dir)
        zone = var_dir / "demo.zone"
        if not zone.exists():
            zone.write_text(ZONE_HEADER)

        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()

        team, _ = Team.objects.get_or_create(name="Demo team")
        Membership.objects.update_or_create(team=team, user=user, defaults={"role": Role.OWNER})
        account = GandiAccount.objects.filter(team=team, name="Demo (simulator)").first()
        if account is None:
            account = GandiAccount(team=team, name="Demo (simulator)", created_by=user)
        account.endpoint = Endpoint.SIMULATOR
        account.set_api_key(key)
        account.save()

        banner = demo_banner(username, password, key, zone)
        # Kept for `manage.py demo_banner`, which prints it again once the web server is up.
        login_file = var_dir / "demo-login"
        login_file.write_text(banner)
        login_file.chmod(0o600)
        self.stdout.write(banner)


def demo_banner(username: str, password: str, key: str, zone: Path) -> str:
    line = "=" * 64
    return (
        f"\n{line}\n"
        f"  Gandi Sites Portal demo: http://127.0.0.1:8000/\n"
        f"  Sign in as  {username}  with password  {password}\n"
        f"  (Gandi simulator account key ends in ...{key[-4:]}; DNS zone: {zone})\n"
        f"{line}\n"
    )

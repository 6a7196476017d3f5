"""Print the demo login once the web server answers (a Procfile entry of `make run`)."""

import signal
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Wait for the web server and print the demo login written by seed_demo."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url: str, **options):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url.rstrip("/") + "/accounts/login/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        login = Path(settings.VAR_DIR) / "demo-login"
        self.stdout.write(login.read_text() if login.exists() else "Run manage.py seed_demo")
        self.stdout.flush()
        signal.pause()  # stay up: the supervisor would start it (and print) again

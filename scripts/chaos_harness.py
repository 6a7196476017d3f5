"""The processes of the chaos suite: a private Redis, the Gandi simulator, a Celery worker and
beat, each a real OS process that scripts/chaos.py can kill -9 and start again.

The database is DATABASE_URL when it is set (PostgreSQL), else a SQLite file under
var/chaos/. Everything else (ports, queue, keys) is private to the run.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import xmlrpc.client
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import private_redis  # noqa: E402

MANAGED_DOMAIN = "managed.example"  # held at Gandi by the chaos account: no TXT proof needed
API_KEY = "ChaosChaosChaosChaos0001"


class Process:
    """One supervised role: start(), kill() (SIGKILL to its whole group), restart()."""

    def __init__(self, name: str, command: list[str], env: dict, log: Path, ready: bytes):
        self.name, self.command, self.env, self.log_path, self.ready = (
            name, command, env, log, ready,
        )  # fmt: skip
        self.popen: subprocess.Popen | None = None
        self.exits = 0  # times it ended by itself (not killed by us)
        self.kills = 0

    def start(self, timeout: float = 90) -> None:
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while self.ready not in self.log_path.read_bytes()[offset:]:
            if self.popen.poll() is not None or time.monotonic() > deadline:
                tail = self.log_path.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{self.name} did not start:\n{tail}")
            time.sleep(0.1)

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        if self.alive():
            assert self.popen is not None
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)
            self.kills += 1

    def stop(self) -> None:
        if self.alive():
            assert self.popen is not None
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(10)

    def supervise(self) -> None:
        """What a supervisor does: start it again when it ended by itself."""
        if self.popen is not None and not self.alive():
            self.exits += 1
            self.start()


class Harness:
    def __init__(self, workdir: Path, step_seconds: float, seed: int):
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.redis_port = private_redis.free_port()
        self.sim_port = private_redis.free_port()
        self.state_path = workdir / "simulator.json"
        for stale in workdir.glob("*"):
            if stale.is_file():
                stale.unlink()
        self.env = self._environment()
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "portal"]
        self.redis: subprocess.Popen | None = None
        self.simulator = Process(
            "simulator",
            [python, "manage.py", "gandi_simulator", "--port", str(self.sim_port),
             "--state", str(self.state_path), "--api-key", API_KEY, "--credit", "1000000",
             "--gandi-domain", MANAGED_DOMAIN, "--step-seconds", str(step_seconds),
             "--seed", str(seed)],
            self.env, workdir / "simulator.log", b"Gandi simulator",
        )  # fmt: skip
        self.worker = Process(
            "worker",
            [*celery, "worker", "-l", "INFO", "-c", "4", "-n", f"chaos-{os.getpid()}@%h"],
            self.env, workdir / "worker.log", b"ready.",
        )  # fmt: skip
        self.beat = Process(
            "beat",
            [*celery, "beat", "-l", "INFO", "-s", str(workdir / "beat-schedule")],
            self.env, workdir / "beat.log", b"beat: Starting",
        )  # fmt: skip
        self.redis_restarts = 0

    def _environment(self) -> dict[str, str]:
        from cryptography.fernet import Fernet

        env = dict(os.environ)
        env.setdefault("DATABASE_URL", f"sqlite:///{self.workdir / 'portal.sqlite3'}")
        env.update(
            DJANGO_SETTINGS_MODULE="portal.settings",
            DEBUG="False",
            EMAIL_URL="memorymail://",  # notices of chaos rows go nowhere
            SECRET_KEY="chaos-suite-only-secret-key-0123456789-abcdefghij",
            ENCRYPTION_KEYS=env.get("ENCRYPTION_KEYS") or Fernet.generate_key().decode(),
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            CELERY_TASK_DEFAULT_QUEUE=f"chaos-{os.getpid()}",
            CACHE_KEY_PREFIX=f"chaos-{os.getpid()}",
            GANDI_SIMULATOR_URL=self.sim_url,
            GANDI_TIMEOUT="5",
            GANDI_VIEW_TIMEOUT="5",
            HTTPS="False",
            PYTHONUNBUFFERED="1",
            VAR_DIR=str(self.workdir),
        )
        return env

    @property
    def sim_url(self) -> str:
        return f"http://127.0.0.1:{self.sim_port}/xmlrpc/"

    # --- Redis ---
    def start_redis(self) -> None:
        self.redis = private_redis.start(self.redis_port, self.workdir / "redis")

    def kill_redis(self) -> None:
        if self.redis is not None:
            self.redis.kill()
            self.redis.wait(10)
            self.redis = None

    def restart_redis_empty(self) -> None:
        self.kill_redis()
        self.start_redis()
        self.redis_restarts += 1

    # --- the simulator's own view ---
    def set_faults(self, **flags) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.sim_port}/_sim/faults",
            data=json.dumps(flags).encode(),
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=10).read()

    def sim_state(self) -> dict:
        """The simulator's own state file: sites, and every operation it accepted."""
        with contextlib.suppress(Exception):  # any call settles ended ops; faults may cut it
            xmlrpc.client.ServerProxy(self.sim_url).site.count(API_KEY)
        for _ in range(20):
            try:
                return json.loads(self.state_path.read_text())
            except (OSError, ValueError):
                time.sleep(0.1)
        raise RuntimeError("cannot read the simulator's state file")

    # --- life cycle ---
    def start(self) -> None:
        self.start_redis()
        self.simulator.start()
        self.worker.start()
        self.beat.start()

    def exits(self) -> dict[str, int]:
        """How often each process ended by itself (and was started again)."""
        return {p.name: p.exits for p in (self.simulator, self.worker, self.beat)}

    def supervise(self) -> None:
        for process in (self.simulator, self.worker, self.beat):
            process.supervise()

    def stop(self) -> None:
        for process in (self.beat, self.worker, self.simulator):
            process.stop()
        self.kill_redis()

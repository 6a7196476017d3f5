"""The run command under its supervisor: a process that dies is started again, the rest stay.

Runs the real `scripts/supervise.py` (supervisord, the Procfile, a private Redis, the
simulator, web, worker, beat) on free ports with its own VAR_DIR and SQLite database.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from celery import Celery

from portal.private_redis import free_port
from tests.fixtures.celery_worker import wait_for

ROOT = Path(__file__).resolve().parents[2]
# Set by tests/plugin_env.py for the test processes; the stack runs as `make run` would.
TEST_ONLY = ["REDIS_URL", "DATABASE_URL", "CELERY_TASK_DEFAULT_QUEUE", "CACHE_KEY_PREFIX",
             "SQLITE_TEST_NAME", "DEBUG", "HTTPS", "STATIC_MANIFEST", "GANDI_SIMULATOR_URL",
             "DNS_RESOLVERS"]  # fmt: skip


class Stack:
    def __init__(self, var: Path):
        self.var = var
        self.ports = {name: free_port() for name in
                      ("WEB_PORT", "SIMULATOR_PORT", "DNS_PORT", "REDIS_PORT")}  # fmt: skip
        env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
        env.update({name: str(port) for name, port in self.ports.items()}, VAR_DIR=str(var))
        self.output = (var.parent / "supervise.out").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "supervise.py")],
            cwd=ROOT, env=env, stdout=self.output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def ctl(self, *args: str) -> str:
        command = [str(Path(sys.executable).parent / "supervisorctl"),
                   "-c", str(self.var / "supervisord.conf"), *args]  # fmt: skip
        return subprocess.run(command, capture_output=True, text=True).stdout

    def pid(self, name: str) -> int | None:
        match = re.search(rf"^{name}\s+RUNNING\s+pid (\d+)", self.ctl("status", name), re.M)
        return int(match[1]) if match else None

    def log(self, name: str) -> str:
        path = self.var / "log" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def web_answers(self) -> bool:
        url = f"http://127.0.0.1:{self.ports['WEB_PORT']}/accounts/login/"
        try:
            return urllib.request.urlopen(url, timeout=2).status == 200
        except OSError:
            return False

    def run_task(self) -> str:
        """Send the heartbeat task through the stack's Redis; its id."""
        app = Celery(broker=f"redis://127.0.0.1:{self.ports['REDIS_PORT']}/0", set_as_current=False)
        try:
            return app.send_task("sites_app.record_worker_heartbeat", queue="gandi").id
        finally:
            app.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # what Ctrl-C does
            try:
                self.process.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.output.close()


@pytest.fixture
def stack(request):
    var = Path(f"/tmp/portal-stack-{os.getpid()}-{time.monotonic_ns()}") / "var"
    var.mkdir(parents=True)
    running = Stack(var)
    yield running
    running.stop()
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        print((var.parent / "supervise.out").read_text(errors="replace")[-6000:])
    shutil.rmtree(var.parent, ignore_errors=True)


@pytest.mark.worker
def test_a_killed_worker_is_started_again_and_works_while_the_rest_keep_running(stack):
    wait_for(lambda: "ready." in stack.log("worker") and stack.web_answers(), timeout=120,
             message="the stack to start")  # fmt: skip
    before = {name: stack.pid(name) for name in ("web", "beat", "simulator", "redis", "worker")}
    assert all(before.values()), stack.ctl("status")

    os.kill(before["worker"], signal.SIGKILL)
    killed_at = time.monotonic()

    new_pid = wait_for(lambda: (pid := stack.pid("worker")) != before["worker"] and pid,
                       timeout=30, message="a new worker")  # fmt: skip
    assert new_pid != before["worker"]
    task_id = stack.run_task()
    wait_for(lambda: f"[{task_id}] succeeded" in stack.log("worker"), timeout=60,
             message="the new worker to run a task")  # fmt: skip
    back_after = time.monotonic() - killed_at
    print(f"worker back and working {back_after:.1f} s after kill -9")

    for name in ("web", "beat", "simulator", "redis"):
        assert stack.pid(name) == before[name], f"{name} was restarted too"
    assert stack.web_answers()
    assert "worker" in (stack.var / "log" / "supervisord.log").read_text()


@pytest.mark.worker
def test_one_interrupt_stops_every_process(stack):
    wait_for(lambda: stack.pid("worker") and stack.pid("web"), timeout=120,
             message="the stack to start")  # fmt: skip
    pids = [stack.pid(name) for name in ("web", "worker", "beat", "simulator", "redis")]
    stack.stop()
    assert stack.process.returncode is not None

    def alive(pid):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    wait_for(lambda: not any(alive(pid) for pid in pids), timeout=20, message="all stopped")

"""A real worker, started as the Procfile and deploy/ start it, outlives Redis being killed.

Before each kill the worker holds tasks with a countdown (unacknowledged, as the portal's
delayed polls are). Redis is killed (SIGKILL) and started again empty, three times; after
each, the same worker process must take a new task. Without the patch in portal/celery.py,
kombu 5.7 ends the worker at the first kill: "Unrecoverable error: AttributeError("'NoneType'
object has no attribute 'hostname'")".
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from celery import Celery

from portal import private_redis
from tests.fixtures.celery_worker import database_url, wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_keeps_working_when_redis_is_killed_and_restarted_empty(tmp_path):
    port = private_redis.free_port()
    url = f"redis://127.0.0.1:{port}/0"
    redis = private_redis.start(port, tmp_path / "redis")
    queue = f"redis-kill-{os.getpid()}"
    log_path = tmp_path / "worker.log"
    env = dict(os.environ, REDIS_URL=url, DATABASE_URL=database_url(),
               CELERY_TASK_DEFAULT_QUEUE=queue)  # fmt: skip
    env.pop("SQLITE_TEST_NAME", None)
    with log_path.open("ab") as log:
        # The Procfile's worker: the prefork pool, with gossip, mingle and heartbeats.
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "-l", "INFO", "-c", "2",
             "-n", f"redis-kill-{os.getpid()}@%h"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    app = Celery(broker=url, set_as_current=False)  # shared tasks elsewhere keep the portal app

    def log_text() -> str:
        return log_path.read_text(errors="replace")

    def a_task_runs() -> None:
        task_id = app.send_task("sites_app.record_worker_heartbeat", queue=queue).id
        wait_for(lambda: f"[{task_id}] succeeded" in log_text() or worker.poll() is not None,
                 timeout=60, message=f"the worker to run a task\n{log_text()[-3000:]}")  # fmt: skip
        assert worker.poll() is None, f"the worker exited:\n{log_text()[-5000:]}"

    try:
        wait_for(lambda: "ready." in log_text(), timeout=60, message="the worker to start")
        a_task_runs()
        for _ in range(3):
            for _ in range(3):  # held by the worker, unacknowledged, until their time comes
                app.send_task("sites_app.record_worker_heartbeat", queue=queue, countdown=600)
            wait_for(lambda: log_text().count("received") >= 3, message="tasks held")
            redis.kill()
            redis.wait(10)
            time.sleep(1.0)  # the worker sees the connection drop while Redis is away
            redis = private_redis.start(port, tmp_path / "redis")
            a_task_runs()
        assert "Unrecoverable error" not in log_text()
    finally:
        app.close()
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
        redis.kill()
        redis.wait(10)

"""Loaded with `-p tests.plugin_env`, before pytest-django imports the settings.

- With no REDIS_URL, starts a private Redis for the whole run (xdist workers inherit the URL).
- Gives each test process its own Celery queue and cache prefix, so parallel processes that
  share one Redis never take each other's tasks.
- Uses a file-backed SQLite test database, so a real Celery worker process can see it.
"""

import atexit
import os
from pathlib import Path

from portal import private_redis

ROOT = Path(__file__).resolve().parent.parent

if not os.environ.get("REDIS_URL"):
    _port = private_redis.free_port()
    _redis = private_redis.start(_port, ROOT / "var" / "test-redis")
    atexit.register(_redis.terminate)
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{_port}/0"

_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ["CELERY_TASK_DEFAULT_QUEUE"] = f"test-{_worker}-{os.getpid()}"
os.environ["CACHE_KEY_PREFIX"] = f"test-{_worker}-{os.getpid()}"
os.environ.setdefault("DEBUG", "False")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("SQLITE_TEST_NAME", str(ROOT / "var" / f"test-portal-{os.getpid()}.sqlite3"))
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API with live_server
os.environ.setdefault("HTTPS", "False")
# DEBUG=False refuses the console mail backend; pytest-django delivers to memory anyway.
os.environ.setdefault("EMAIL_URL", "memorymail://")
os.environ.setdefault("STATIC_MANIFEST", "False")
if not os.environ.get("ENCRYPTION_KEYS"):
    from cryptography.fernet import Fernet

    os.environ["ENCRYPTION_KEYS"] = Fernet.generate_key().decode()

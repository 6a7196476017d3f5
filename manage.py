#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

A fresh clone has no `.env` and no environment: `python manage.py <command>` then runs with
the development defaults of `make run` (DEBUG=True), so the README's commands work as written.
As soon as DEBUG, SECRET_KEY or a `.env` file is there, nothing is assumed: production (which
sets its secrets) keeps refusing to start without them, and gunicorn and Celery (portal/wsgi.py,
portal/celery.py) never get this default.
"""

import os
import sys
from pathlib import Path


def development_default(environ=os.environ) -> None:
    configured = "DEBUG" in environ or "SECRET_KEY" in environ
    if not configured and not (Path(__file__).resolve().parent / ".env").exists():
        environ["DEBUG"] = "True"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    development_default()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

"""Logging filters: secret links never reach a log, and a 403 is one line.

Links that act as credentials (a password reset, an invitation) carry their token in the
path. Django logs the path of a refused request, and gunicorn's access log the request line
and the Referer; `redact_secret_links` replaces the token with "…" in all of them
(deploy/gunicorn.conf.py applies it to the access log).
"""

from __future__ import annotations

import logging
import re

# A path segment that is a credential: /accounts/reset/<uidb64>/<token>/ and
# /invitations/<token>/ (the team's own /team/invitations/ pages carry none).
SECRET_LINKS = re.compile(
    r"(?P<reset>/accounts/reset/)[^/\s?#\"']+/[^/\s?#\"']+"
    r"|(?<!/team)(?P<invitation>/invitations/)[^/\s?#\"']+"
)


def redact_secret_links(text: str) -> str:
    return SECRET_LINKS.sub(
        lambda m: f"{m['reset']}…/…" if m["reset"] else f"{m['invitation']}…", text
    )


class RedactSecretLinks(logging.Filter):
    """Rewrites a record whose message holds a secret link; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_secret_links(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class OneLineForbidden(logging.Filter):
    """Django logs a PermissionDenied with its traceback; a refusal is routine: one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True

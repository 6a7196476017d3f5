"""gunicorn settings of the portal's web process: `gunicorn -c deploy/gunicorn.conf.py`.

Behind a TLS proxy that sets X-Forwarded-Proto and appends to X-Forwarded-For (run the
portal with TRUSTED_PROXY_COUNT=1 for one proxy). Every value can be overridden from the
environment (GUNICORN_BIND, GUNICORN_WORKERS, ...) or on the command line.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the config is read before the app: find sites_app from here

from gunicorn.glogging import Logger  # noqa: E402
from gunicorn.http import wsgi  # noqa: E402

from sites_app.log_filters import redact_secret_links  # noqa: E402

wsgi_app = "portal.wsgi:application"
chdir = str(ROOT)
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8080")  # the proxy's upstream
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))  # a page's Gandi reads stay below it
graceful_timeout = 30
keepalive = 5
max_requests = 2000  # recycle workers now and then; jitter so they do not all go at once
max_requests_jitter = 200
# Only the proxy on this machine may say a request came over HTTPS or from which address.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Small request limits: the portal takes forms, not uploads.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
control_socket_disable = True  # gunicorn 25+ opens a control socket in $HOME by default
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'


class RedactingLogger(Logger):
    """The access log with reset and invitation tokens replaced by "…" (request line,
    path, Referer: a page opened from such a link sends it as the Referer of its assets)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: redact_secret_links(v) if isinstance(v, str) else v for k, v in atoms.items()}


logger_class = RedactingLogger


# No `Server: gunicorn` banner: it tells an attacker what to try. gunicorn has no setting for
# it, so the one method that writes the header leaves it out.
_default_headers = wsgi.Response.default_headers


def _headers_without_server(self):
    return [h for h in _default_headers(self) if not h.lower().startswith("server:")]


wsgi.Response.default_headers = _headers_without_server

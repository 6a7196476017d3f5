#!/usr/bin/env bash
# The production configuration, booted on this machine against PostgreSQL and Redis:
# DEBUG=False, HTTPS on, gunicorn with deploy/gunicorn.conf.py behind a (local) TLS proxy,
# a Celery worker and exactly one beat. `make prod` runs it; Ctrl-C stops all.
#
# What it does, in the order a release does it: create the database if missing, migrate,
# collectstatic, `check --deploy --fail-level WARNING` (it stops here if anything is
# reported), then start the processes. Secrets are made once under var/prod-local/.
#
# Environment (all optional): DATABASE_URL (postgres://postgres@127.0.0.1:5432/portal_prod_local),
# REDIS_URL (redis://127.0.0.1:6379/2), GUNICORN_BIND (127.0.0.1:8088), EMAIL_URL (mail is
# written as files under var/prod-local/mail: never into a log), PROD_LOCAL_PROCESSES
# ("web worker beat"; the boot test runs "web" only).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${VENV_BIN:-$ROOT/.venv/bin}
STATE=$ROOT/var/prod-local
mkdir -p "$STATE/mail"
umask 077

[ -s "$STATE/secret-key" ] ||
  "$BIN/python" -c "import secrets; print(secrets.token_urlsafe(50))" >"$STATE/secret-key"
[ -s "$STATE/encryption-key" ] ||
  "$BIN/python" -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" \
    >"$STATE/encryption-key"

export DEBUG=False HTTPS=True
export SECRET_KEY=${SECRET_KEY:-$(cat "$STATE/secret-key")}
export ENCRYPTION_KEYS=${ENCRYPTION_KEYS:-$(cat "$STATE/encryption-key")}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal_prod_local}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/2}
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
export TRUSTED_PROXY_COUNT=${TRUSTED_PROXY_COUNT:-1}  # the TLS proxy in front of gunicorn
export EMAIL_URL=${EMAIL_URL:-filemail://$STATE/mail}
export GUNICORN_BIND=${GUNICORN_BIND:-127.0.0.1:8088}
unset EMAIL_ALLOW_CONSOLE SQLITE_TEST_NAME
PROCESSES=${PROD_LOCAL_PROCESSES:-web worker beat}

case $DATABASE_URL in
postgres://* | postgresql://*)
  "$BIN/python" - <<'PY'
import os, urllib.parse
import psycopg
url = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
admin = url._replace(path="/postgres").geturl()
with psycopg.connect(admin, autocommit=True) as db:
    if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        db.execute(f'CREATE DATABASE "{name}"')
        print(f"created database {name}")
PY
  ;;
esac

"$BIN/python" manage.py migrate --noinput -v0
"$BIN/python" manage.py collectstatic --noinput -v0
"$BIN/python" manage.py check --deploy --fail-level WARNING

pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait
}
trap stop EXIT INT TERM
for process in $PROCESSES; do
  case $process in
  web) "$BIN/gunicorn" -c deploy/gunicorn.conf.py & ;;
  worker) "$BIN/celery" -A portal worker -l INFO -c 2 & ;;
  beat) "$BIN/celery" -A portal beat -l INFO -s "$STATE/celerybeat-schedule" & ;;
  *) echo "unknown process: $process" >&2; exit 2 ;;
  esac
  pids+=($!)
done
echo "portal (production settings) on http://$GUNICORN_BIND behind your TLS proxy;" \
  "the proxy must send X-Forwarded-Proto: https and append to X-Forwarded-For"
wait -n

# The two commands: `make run` (the portal with everything it needs) and `make test`.
# Both create or update the virtual environment in .venv first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

# The embedded default of `make run`: SQLite under var/, a private Redis on port 6390, the
# Gandi simulator on 8780 with its DNS server on 8753. Environment variables (or .env) win.
RUN_ENV := DEBUG=$${DEBUG:-True} \
	GANDI_SIMULATOR_URL=$${GANDI_SIMULATOR_URL:-http://127.0.0.1:8780/xmlrpc/} \
	DNS_RESOLVERS=$${DNS_RESOLVERS:-127.0.0.1:8753}

.PHONY: run test lint format bench clean prod

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	mkdir -p var
	$(RUN_ENV) $(PY) manage.py migrate --noinput -v0
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(RUN_ENV) $(PY) manage.py seed_demo
	$(RUN_ENV) $(BIN)/honcho start -f Procfile

# The production configuration on this machine (PostgreSQL, Redis, gunicorn behind a TLS
# proxy): see scripts/prod_local.sh and the README's "Production start".
prod: $(VENV)/.installed
	scripts/prod_local.sh

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $${TEST_PROCESSES:-2} --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every benchmark of bench/ (bench/run.py); `make bench BENCH_ARGS=--quick` for a fast run.
# On PostgreSQL when DATABASE_URL points at it (in a test_ database of its own), else SQLite.
bench: $(VENV)/.installed-dev
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles var/*.sqlite3* var/simulator* var/celerybeat-schedule*

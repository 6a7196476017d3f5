# The two commands: `make run` (the portal with everything it needs) and `make test`.
# Both create or update the virtual environment in .venv first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run test lint format bench chaos clean prod

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# The embedded default: SQLite under var/, a private Redis on 6390, the Gandi simulator on 8780
# with its DNS server on 8753, web on 8000 (WEB_PORT, SIMULATOR_PORT, DNS_PORT, REDIS_PORT and
# VAR_DIR change them), every Procfile process under supervisord. Environment (or .env) wins.
run: $(VENV)/.installed
	$(PY) scripts/supervise.py

# Fault injection against a real worker, beat, Redis and simulator (README "Chaos suite").
chaos: $(VENV)/.installed-dev
	$(PY) scripts/chaos.py $(CHAOS_ARGS)

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
	rm -rf $(VENV) staticfiles var/*.sqlite3* var/simulator* var/celerybeat-schedule* var/supervisor* var/log var/chaos-*

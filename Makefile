# KAYA: the whole workflow in one place. `make run` and `make test` need only Python 3.11.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Parallel test workers (pytest-xdist): one per core, at most 4, so the
# service-backed run's per-worker Redis databases (REDIS_URL's number + 0..3)
# stay within Redis's default 16. PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto
BENCH_ARGS ?=
LOAD_ARGS ?=

.PHONY: run install install-dev migrate demo test fuzz lint format typecheck schema migrations-check ci bench load worker beat clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

## Check the port and database, migrate, load demo data, serve REST + websockets +
## admin (one ASGI dev server), then print where to go. `make run PORT=8001 HOST=0.0.0.0`.
run: install
	$(PY) -m kaya.devserver --host $(HOST) --port $(PORT)

## Load the demo data on its own (idempotent; `make run` does it too).
demo: migrate
	$(PY) manage.py seed_demo

## Each file runs on one worker (--dist loadfile), so a module's server stack
## starts once; each worker has its own test database and Redis database.
test: install-dev
	$(PY) -m pytest -n $(PYTEST_WORKERS) --maxprocesses 4 --dist loadfile $(PYTEST_ARGS)

## Contract fuzzing (kaya/tests/test_fuzz.py) in one process: Schemathesis's
## generated tests do not run under pytest-xdist. KAYA_FUZZ_EXAMPLES sets the
## examples per operation (50 by default).
fuzz: install-dev
	KAYA_FUZZ=1 $(PY) -m pytest -p no:randomly kaya/tests/test_fuzz.py $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: install-dev
	$(VENV)/bin/mypy kaya $$(ls -d */services.py */services */selectors.py */selectors */tasks.py */consumers.py 2>/dev/null | grep -v '^kaya/')

schema: install-dev
	$(PY) manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml

migrations-check: install-dev
	$(PY) manage.py makemigrations --check --dry-run

ci: lint typecheck migrations-check schema test

## Start the production-shaped stack on 127.0.0.1 and print the benchmark table
## (BENCH_ARGS="--help" lists the options: rounds, seconds, --only, ...).
bench: install-dev
	$(PIP) install -q -r bench/requirements.txt
	$(PY) -m bench $(BENCH_ARGS)

## A realistic mix (reads, writes, refresh, notifications) with a websocket
## population against the same stack; LOAD_ARGS="--help" lists the options.
load: install-dev
	$(PIP) install -q -r bench/requirements.txt
	$(PY) -m bench.load $(LOAD_ARGS)

worker: install
	$(VENV)/bin/celery -A kaya worker -l INFO

beat: install
	$(VENV)/bin/celery -A kaya beat -l INFO

clean:
	rm -rf $(VENV) var

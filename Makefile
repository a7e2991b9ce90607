# Two commands do all the set-up on a fresh machine with Python 3.11+:
#   make run    virtualenv, install, migrate SQLite, load the demo, serve http://127.0.0.1:8000
#   make test   the whole test suite (SQLite unless DATABASE_URL says otherwise)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install run test lint format bench messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo --full-cycle
	$(BIN)/python manage.py publish_ocds
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	$(BIN)/python manage.py makemessages -l ru -l kk --ignore=.venv --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 var

# Rebuild static/js/signing.js (signing and sealing in the browser) from frontend/ with npm,
# the dependencies pinned by frontend/package-lock.json. Only after changing frontend/: the
# built file is committed, so install, run and test need neither node nor the npm registry.
.PHONY: frontend
frontend:
	cd frontend && npm ci --no-audit --no-fund && npm run build

# The platform as production runs it (PostgreSQL, gunicorn, two clocks), seeded at full volume,
# under every scenario of bench/scenarios; writes docs/benchmarks.md. Not a test: hours-long
# figures for a quiet machine. bench-smoke: scale 0.01 and the quick scenarios, a few minutes.
BENCH_ARGS ?=
.PHONY: bench-smoke
bench: install
	$(BIN)/python bench/run_all.py --scale 1 --full $(BENCH_ARGS)

bench-smoke: install
	$(BIN)/python bench/run_all.py --scale 0.01 --smoke --output var/bench/benchmarks-smoke.md $(BENCH_ARGS)

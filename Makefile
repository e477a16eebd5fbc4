# Stagebrug: `make run` serves the demo on SQLite, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app web
STAMP  := $(VENV)/.installed-stamp
# The app refuses to start with the development key unless told it runs in development (production is the default).
export STAGEBRUG_ENV ?= development

.PHONY: run test install translations migrate seed lint bench bench-pages clean-db

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

translations: install
	@$(PY) -m web.i18n_tools compile

migrate: install
	@mkdir -p instance
	$(VENV)/bin/alembic -c migrations/alembic.ini upgrade head

seed: migrate translations
	@$(FLASK) seed-demo

run: seed
	@echo "Starting the scheduler (clock) and the web server on http://127.0.0.1:5000"
	@$(PY) -m web.clock & CLOCK_PID=$$!; \
	 trap 'kill $$CLOCK_PID 2>/dev/null' EXIT INT TERM; \
	 $(FLASK) seed-demo | tail -n 6; \
	 $(FLASK) run --host 127.0.0.1 --port 5000

test: translations
	$(PY) -m pytest -q -p no:cacheprovider -n 2 $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) bench/bench_matching.py

bench-pages: install
	$(PY) bench/bench_pages.py

clean-db:
	rm -f instance/stagebrug.db instance/stagebrug.db-wal instance/stagebrug.db-shm

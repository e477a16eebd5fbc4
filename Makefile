# Stagebrug: `make run` serves the demo on SQLite, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app web
STAMP  := $(VENV)/.installed-stamp
# The app refuses to start with the development key unless told it runs in development (production is the default).
export STAGEBRUG_ENV ?= development

.PHONY: run test install translations migrate seed lint bench bench-pages bench-region clean-db

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

# Region scale on PostgreSQL (not part of make test): build the region set in a database of its own, time every
# page on it, time the nightly re-match (wall, peak RSS, rows), run the 50-user load test against gunicorn, drop the
# database. PG= chooses the server.
PG ?= postgresql://postgres@127.0.0.1:5432/postgres
bench-region: translations
	@$(PY) -m pip install --quiet -e '.[dev,load]'
	@set -e; URL=$$($(PY) bench/region_data.py --postgres $(PG) --keep | tee /dev/stderr | tail -n 1); \
	 trap '$(PY) bench/region_data.py --drop '"$$URL" EXIT; \
	 $(PY) bench/bench_pages.py --region --database $$URL --runs 10; \
	 $(PY) bench/bench_nightly.py --database $$URL; \
	 $(PY) bench/load_test.py --database $$URL --users 50 --seconds 60

clean-db:
	rm -f instance/stagebrug.db instance/stagebrug.db-wal instance/stagebrug.db-shm

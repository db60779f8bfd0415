# Warden's few make targets: run, test, lint, bench. Each creates .venv when needed.
VENV := .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.run-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test lint bench

# The port `make run` serves on: PORT=8001 make run.
PORT ?= 8000
export PORT
# collectstatic runs again only when the installed packages or static/ change.
STATIC_STAMP := var/.static-collected

$(RUN_STAMP): requirements.txt
	@echo "== installing requirements.txt into $(VENV) (first run only; a few minutes)"
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	scripts/install-requirements -r requirements.txt
	touch $@

$(DEV_STAMP): $(RUN_STAMP) requirements-dev.txt
	scripts/install-requirements -r requirements-dev.txt
	touch $@

$(STATIC_STAMP): $(RUN_STAMP) $(shell find static -type f)
	@echo "== collecting static files into var/static (admin, API docs; when they change, ~15 s)"
	$(PY) manage.py collectstatic --noinput -v0
	@mkdir -p $(@D) && touch $@

## run: migrate, seed the demo once (with one approved version and its signed card), serve http://127.0.0.1:$(PORT) with a Celery worker
run: $(RUN_STAMP) $(STATIC_STAMP)
	@echo "== migrating the database"
	$(PY) manage.py migrate --noinput -v0
	@echo "== seeding the demo (first run only)"
	$(PY) manage.py seed_demo
	@echo "== the demo model card (issued and signed on the first run only)"
	$(PY) manage.py demo_card
	scripts/run-embedded

## test: the whole suite on SQLite, then the database tests again on PostgreSQL if it answers
test: $(DEV_STAMP)
	scripts/test

## lint: ruff (lint and format check), mypy and the import contracts (pyproject.toml)
lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy governance audits reports config digests
	$(VENV)/bin/lint-imports

## bench: the speed and memory benchmarks; numbers go in the README
bench: $(DEV_STAMP)
	$(PY) bench/battery_bench.py
	$(PY) bench/intake_bench.py
	$(PY) bench/object_store_bench.py
	$(PY) bench/worker_bench.py
	$(PY) bench/model_bench.py
	$(PY) bench/scoring_bench.py
	$(PY) bench/cbpe_bench.py
	$(PY) bench/monitor_bench.py
	$(PY) bench/tensor_bench.py
	$(PY) bench/llm_bench.py
	env -u DJANGO_SETTINGS_MODULE $(PY) bench/report_bench.py
	$(PY) bench/portfolio_job_bench.py
	command -v wrk >/dev/null || apt-get install -y -q wrk
	$(PY) bench/load_bench.py
	$(PY) bench/portfolio_pages_bench.py
	$(PY) bench/e2e_bench.py

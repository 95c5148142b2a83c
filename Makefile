# The two commands in README.md: `make run` and `make test`. Both only need Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# `make run PORT=8001` serves on another port.
PORT ?= 8000

.PHONY: run test bench bench-served lint screenshots install install-dev clean-data

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "AgencyOps needs Python 3.11 or newer: make PYTHON=python3.11 ..." or 0)'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip setuptools wheel
	$(PY) -m pip install -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Run the app: embedded PostgreSQL and Redis unless DATABASE_URL / REDIS_URL are set,
## migrations, the demo agency on first start, then web + Celery worker + beat until Ctrl-C.
run: $(VENV)/.installed
	$(PY) manage.py devserver --port $(PORT)

## Run the whole test suite (PostgreSQL, Redis, a real Celery worker, headless Chromium).
test: $(VENV)/.installed-dev
	$(PY) -m pytest

## Measure the hot pages against their SQL baselines on a seeded agency; exits non-zero on a missed target.
## BENCH_SIZE=small|default|large picks the agency's size (a fifth, one, four times the default).
BENCH_SIZE ?= default
bench: $(VENV)/.installed-dev
	BENCH_SIZE=$(BENCH_SIZE) $(PY) -m pytest tests/bench -s -p no:randomly -o addopts="" --ignore=tests/bench/test_served.py

## The hot URLs served by gunicorn (2 workers) over loopback, as throughput against /healthz.
bench-served: $(VENV)/.installed-dev
	BENCH_SIZE=$(BENCH_SIZE) $(PY) -m pytest tests/bench/test_served.py -s -p no:randomly -o addopts=""

## The README's screenshots (docs/screenshots/*.png): the demo agency through headless Chromium at 1440 px.
screenshots: $(VENV)/.installed-dev
	$(PY) manage.py screenshots

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .

clean-data:
	rm -rf .data

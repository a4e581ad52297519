# Two commands for a fresh clone: `make run` and `make test`. Everything else is a helper for them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8000
# make run talks to the local TikTok simulator (started with it) unless you point it at TikTok itself.
SIMULATOR := http://127.0.0.1:$${TIKTOK_SIMULATOR_PORT:-8765}
RUN_TIKTOK = TIKTOK_API_BASE_URL=$${TIKTOK_API_BASE_URL:-$(SIMULATOR)} \
	TIKTOK_AUTHORIZE_URL=$${TIKTOK_AUTHORIZE_URL:-$(SIMULATOR)/v2/auth/authorize/} \
	TIKTOK_CLIENT_KEY=$${TIKTOK_CLIENT_KEY:-sim-client} TIKTOK_CLIENT_SECRET=$${TIKTOK_CLIENT_SECRET:-sim-secret}
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test bench install install-dev assets format messages lock

## make run: install, migrate, compile messages, load demo data, start web + worker + beat
run: install assets
	$(PY) manage.py migrate --noinput
	$(PY) manage.py catalogues
	$(PY) manage.py seed_demo
	@echo
	@echo "TikTok Planner runs at http://127.0.0.1:$(PORT)/  (stop with Ctrl+C)"
	@echo
	@echo "The TikTok API simulator runs at $(SIMULATOR): press Connect TikTok under Results to see stats arrive."
	$(RUN_TIKTOK) DEBUG=$${DEBUG:-true} PORT=$(PORT) SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} $(BIN)/honcho start -f Procfile

## make test: install what tests need, check the habits (lint, format, migrations, catalogues), run pytest,
## then run the non-browser tests again with the clock moved to other dates (tests/clock_moments.py), so a
## test that depends on the real date fails here and not on the day the calendar turns.
test: install-dev assets
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py catalogues --check
	$(BIN)/pytest -n 2
	@moments="$$($(PY) tests/clock_moments.py)" && test -n "$$moments" && for moment in $$moments; do \
	  echo "== The non-browser tests again, with the clock at $$moment"; \
	  $(BIN)/pytest -q -n 2 -m "not browser and not deploy and not faults and not bench" -p no:cacheprovider --clock "$$moment" || exit 1; \
	done

## make bench: the main pages at 1×, 4× and 16× generated data on PostgreSQL, against Django's admin and raw
## SQL, then under load (README, "Speed"); prints `ratio <name> <value>` lines, exits 1 when a target is missed.
## It makes (and drops) its own database on the server of DATABASE_URL (default: the local PostgreSQL).
bench: install-dev assets
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(PY) manage.py bench $(BENCH_ARGS)

install: $(VENV)/.base-installed
install-dev: $(VENV)/.dev-installed
assets: node_modules/.installed

$(VENV)/.base-installed: requirements/base.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.txt
	@echo "Building the name detector's lookup lists (once per install, a minute or two) ..."
	$(PY) -c "import logging, deduce; logging.disable(logging.INFO); deduce.Deduce()"
	touch $@

$(VENV)/.dev-installed: requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt
	@echo "Building the name detector's lookup lists (once per install, a minute or two) ..."
	$(PY) -c "import logging, deduce; logging.disable(logging.INFO); deduce.Deduce()"
	touch $@ $(VENV)/.base-installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## make messages: extract new strings into locale/{nl,sv} (then translate them)
messages: install-dev
	$(PY) manage.py makemessages -l nl -l sv --no-obsolete $(foreach d,.venv node_modules data staticfiles tests .git,--ignore=$(d))

## make format: apply ruff's fixes and formatting
format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make lock: re-pin the Python dependencies after editing requirements/*.in
lock: install-dev
	$(PY) -m pip install --quiet pip-tools
	cd requirements && ../$(BIN)/pip-compile --quiet --strip-extras --generate-hashes -o base.txt base.in
	cd requirements && ../$(BIN)/pip-compile --quiet --strip-extras --generate-hashes -o dev.txt dev.in

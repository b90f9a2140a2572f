# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
BUN_VERSION := 1.4.4
export PATH := $(CURDIR)/$(TOOLS)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := 0

# Reflex's own bun installer downloads a binary; the npm registry's bun works
# where only package registries are reachable. Without npm, Reflex installs bun itself.
WITH_BUN = if [ -x $(TOOLS)/node_modules/.bin/bun ]; then export REFLEX_USE_SYSTEM_BUN=1; fi;

.PHONY: setup run test check migrate bench clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(TOOLS)/.installed:
	if command -v npm >/dev/null; then npm install --silent --prefix $(TOOLS) bun@$(BUN_VERSION); \
	else echo "npm not found: Reflex will install bun itself"; fi
	mkdir -p $(TOOLS) && touch $@

setup: $(VENV)/.installed $(TOOLS)/.installed

migrate: setup
	$(PY) -m alembic upgrade head

run: migrate
	$(WITH_BUN) $(VENV)/bin/reflex run --env prod

# Debian's chromium (browser tests), espeak-ng (speech for the Whisper tests), postgresql
# and redis-server (throwaway servers of tests/servers.py; Debian keeps initdb and pg_ctl
# in /usr/lib/postgresql/<major>/bin, off PATH). The tests start their own servers: any
# cluster or service the packages set up is not used.
test-deps:
	@missing=""; command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v espeak-ng >/dev/null || missing="$$missing espeak-ng"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing </dev/null; fi

# The checks that hold the structure: lint and format (ruff), the layers and
# forbidden imports of .importlinter, strict types below the app (mypy, pyproject.toml).
check: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# The tests that run the app (in a browser or behind its HTTP routes) or several worker processes run one
# at a time (they share the .web build and each needs the machine); the rest run on both cores (pytest-xdist).
ONE_AT_A_TIME := tests/e2e tests/pipeline/test_chaos.py tests/pipeline/test_shared_limits_processes.py \
  tests/pipeline/test_durability.py tests/export/test_routes.py tests/api/test_rest.py tests/api/test_health.py

test: setup test-deps check
	$(WITH_BUN) $(PY) -m pytest -n 2 $(addprefix --ignore=,$(ONE_AT_A_TIME))
	$(WITH_BUN) $(PY) -m pytest $(ONE_AT_A_TIME)

bench: setup
	$(PY) bench/import_bench.py

clean:
	rm -rf .web .states $(VENV) $(TOOLS)

# The README names two commands: `make run` and `make test`. Everything else here is their plumbing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 7860
HOST ?= 127.0.0.1
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test

# One process: fetch ml-100k if missing, build its index if stale, serve. A second run reuses both.
run: $(VENV)/.installed
	$(BIN)/recassist serve --prepare --dataset ml-100k --host $(HOST) --port $(PORT)

# Format and lint (ruff), the import contracts (layers only import downward), then the suite.
test: $(VENV)/.installed $(VENV)/.chromium $(VENV)/.java $(VENV)/.state-servers
	$(BIN)/ruff format --check recassist tests benchmarks
	$(BIN)/ruff check recassist tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# The browser test drives Debian's chromium (Playwright's own browser download cannot work offline).
$(VENV)/.chromium:
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	touch $@

# Spark ALS (an opt-in generator, tested) runs on a JVM: Debian's headless JRE when `java` is missing.
$(VENV)/.java:
	command -v java >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless)
	touch $@

# The multi-replica tests start PostgreSQL, Redis and HAProxy themselves, from Debian's packages.
$(VENV)/.state-servers:
	(command -v redis-server && command -v haproxy && ls /usr/lib/postgresql/*/bin/initdb) >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server haproxy)
	touch $@

# torch first, from the CPU build on this disk: letting the resolver pick it pulls a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

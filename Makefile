# Two commands on a fresh machine: `make run` and `make test`. Each sets itself up from nothing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
DEMO_RESIDENTS ?= 3000
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint venv clean demo

venv: $(STAMP)

# Reinstall when the dependency list changes; `pip install -e` keeps the code live.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "longcheng needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,demo,bench]'
	@touch $(STAMP)

run: venv
	$(BIN)/longcheng run --host $(HOST) --port $(PORT) --residents $(DEMO_RESIDENTS)

test: venv
	bash scripts/test

# BENCH_SIZE=tiny|small|city (default small); BENCH_DATABASE_URL=postgres://… for PostgreSQL.
bench: venv
	bash scripts/bench

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy longcheng
	$(BIN)/lint-imports

demo: venv
	$(BIN)/longcheng migrate --noinput
	$(BIN)/longcheng demo --residents $(DEMO_RESIDENTS)

clean:
	rm -rf var/ .pytest_cache .mypy_cache .ruff_cache .import_linter_cache

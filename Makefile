# bayesreg — every target sets itself up: `make demo` and `make test` work on a fresh machine.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# First interpreter >= 3.12 among python3.13, python3.12, python3 and pyenv's installs.
PYTHON ?= $(shell for p in python3.13 python3.12 python3 $$(ls -d $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3 /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9] 2>/dev/null); do \
	$$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1 && { echo $$p; break; }; done)

export MPLBACKEND ?= Agg

.PHONY: help venv test test-fast demo demo-quick bench docs lint clean

help:
	@echo "make demo   - set up .venv and run the demo on the bundled diabetes data"
	@echo "make test   - set up .venv and run the test suite (incl. slow sampling tests)"
	@echo "make bench  - benchmarks against scikit-learn, skglm, celer (the bench extra)"
	@echo "make docs   - build the documentation site (mkdocs --strict)"
	@echo "make lint   - ruff"

venv: $(STAMP)

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "error: no Python >= 3.12 found (tried python3.13, python3.12, python3, pyenv). Install one or run 'make PYTHON=/path/to/python3.12 ...'." >&2; exit 2; fi
	@echo "using $(PYTHON) ($$($(PYTHON) --version))"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,docs,dask,formula]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --durations=15

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 -m "not slow"

demo: $(STAMP)
	$(BIN)/bayesreg demo

demo-quick: $(STAMP)
	$(BIN)/bayesreg demo --quick

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_peers.py --out benchmarks/RESULTS_peers.md

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) site .pytest_cache .hypothesis bayesreg-report

# Podium: `make demo` and `make test` work on a fresh machine (they make the venv).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-test

.PHONY: help demo demo-rooms test check serve bench rehearse clean

help:  ## show the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

DEMO_STAMP := $(VENV)/.installed

$(DEMO_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

demo: $(DEMO_STAMP)  ## run the server at a moment of the seed day (only what the demo needs)
	$(BIN)/podium demo

demo-rooms: $(DEMO_STAMP)  ## the demo on a small two-room programme, with the foyer screen
	$(BIN)/podium demo --programme server/programme/demo-two-rooms.toml

test: $(STAMP)  ## make the venv with test extras, install Chromium if missing, run every test
	sh tools/ensure-chromium.sh
	$(BIN)/pytest -q

check: $(STAMP)  ## ruff format --check, ruff check, mypy, then every test
	$(BIN)/ruff format --check server kiosk themes tests bench tools
	$(BIN)/ruff check server kiosk themes tests bench tools
	$(BIN)/mypy server kiosk themes bench tools
	sh tools/ensure-chromium.sh
	$(BIN)/pytest -q

rehearse: $(STAMP)  ## play the seed day 09.50–16.40 against a real server, printing every screen
	PODIUM_REHEARSE=1 $(BIN)/pytest -q -s -p no:cacheprovider tests/scenario

bench: $(STAMP)  ## run the benchmarks (a few minutes) and write bench/RESULTS.md
	$(BIN)/python -m bench.run

serve: $(STAMP)  ## podium serve with the defaults
	$(BIN)/podium serve

clean:  ## remove the venv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info

# TapeMaster Qt — one command to run, one to test. Works on a fresh clone with
# Python 3.11 and make; everything else goes into .venv.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test
DISTSTAMP := $(VENV)/.installed-dist
PYTEST_ARGS ?=

.PHONY: run test lint soak bench dist test-dist screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TESTSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

$(DISTSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dist]'
	touch $@ $(STAMP)

## run: set up .venv and start TapeMaster on the embedded SQLite store
run: $(STAMP)
	$(BIN)/tapemaster $(ARGS)

## test: set up .venv with the test extras and run every test headless
test: $(TESTSTAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff
lint: $(TESTSTAMP)
	$(BIN)/ruff check src tests tools benchmarks

## screenshots: regenerate docs/screenshots (needs xvfb-run; a demo store in /tmp)
screenshots: $(STAMP)
	PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring xvfb-run -a -s "-screen 0 1600x1000x24" \
		$(BIN)/python tools/screenshots.py

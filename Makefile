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

## soak: the long runs make test leaves out (pytest -m soak): the kill -9 campaign
##       (250 rounds; TAPEMASTER_SOAK_KILL_ROUNDS) and the one-minute load test.
##       docs/reliability.md: .venv/bin/python benchmarks/reliability_report.py --soak
soak: $(TESTSTAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m soak $(PYTEST_ARGS)

## lint: ruff everywhere, mypy --strict on the services and the store
lint: $(TESTSTAMP)
	$(BIN)/ruff check src tests tools benchmarks packaging
	$(BIN)/mypy

# The bundle is rebuilt when the spec, the package or the packaging files change.
DIST_BUNDLE := dist/tapemaster
DIST_INPUTS := tapemaster.spec pyproject.toml \
	$(shell find src/tapemaster_qt packaging -type f ! -name '*.pyc' ! -path '*/__pycache__/*')

## dist: build dist/tapemaster/ (TapeMaster, Checkpoint, Lite, tapemaster-admin) with the
##       pinned PyInstaller from the dist extras
dist: $(DIST_BUNDLE)/tapemaster

$(DIST_BUNDLE)/tapemaster: $(DISTSTAMP) $(DIST_INPUTS)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN tapemaster.spec
	@du -sh $(DIST_BUNDLE)

## test-dist: build if needed, then run the frozen programs' --self-test and a scripted
##            tapemaster-admin session (tests marked dist; make test leaves them out)
test-dist: dist $(TESTSTAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m dist tests/dist $(PYTEST_ARGS)

## bench: performance figures with ratios (docs/performance.md); a few minutes
bench: $(TESTSTAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_startup.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_scale.py

## load: 16 programs on one store for 60 s: logons/s, p50/p99 latency and the invariants
##       (no audit row lost or doubled, no wrong decision, no "database is locked");
##       LOAD_ARGS="--seconds 10 --processes 4" for a quick one; build/reliability/load.json
.PHONY: load
load: $(STAMP)
	$(BIN)/python benchmarks/load.py $(LOAD_ARGS)

## screenshots: regenerate docs/screenshots (needs xvfb-run; a demo store in /tmp)
screenshots: $(STAMP)
	PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring xvfb-run -a -s "-screen 0 1600x1000x24" \
		$(BIN)/python tools/screenshots.py

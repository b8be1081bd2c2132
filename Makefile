# TapeMaster Qt — one command to run, one to test. Works on a fresh clone with
# Python 3.11 or newer and make; everything else goes into .venv. `make help` lists
# the targets.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
VENVOK := $(VENV)/.created
STAMP  := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test
DEVSTAMP  := $(VENV)/.installed-dev
# The bundle is built in its own environment, installed only from the lock file (exact
# versions, every file checked against its hash), so a shipped bundle has known versions
# whatever else .venv holds.
DISTVENV  := .venv-dist
DISTLOCK  := packaging/dist-requirements.txt
DISTSTAMP := $(DISTVENV)/.installed-lock
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run test lint soak bench load load-pg dist test-dist screenshots icons notices lock \
	clean translations

## help: list the targets
help:
	@echo "TapeMaster Qt: make TARGET (the first run of any target creates .venv)"
	@echo
	@sed -n 's/^## \([a-z-]*\): \(.*\)/  \1|\2/p; s/^##  *\([^ ].*\)/   |  \1/p' $(MAKEFILE_LIST) \
		| awk -F'|' '{ printf "  %-13s %s\n", $$1, $$2 }'

# A Python that cannot make a working virtual environment would leave half a .venv
# behind (no pip in it) and every later make would fail with "No module named pip":
# check first, and remove a .venv that did not come out whole.
define make_venv
	@$(1) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "make: TapeMaster Qt needs Python 3.11 or newer; '$(1)' is" \
		     "$$($(1) -c 'import sys; print("Python " + sys.version.split()[0])' 2>/dev/null \
		         || echo "missing")." >&2; \
		echo "make: install one, or name it: make $(MAKECMDGOALS) PYTHON=/path/to/python3.11" >&2; \
		exit 1; }
	@if $(2)/bin/python -m pip --version >/dev/null 2>&1; then exit 0; fi; \
	rm -rf $(2); \
	if ! $(1) -m venv $(2) >$(2).log 2>&1 || ! $(2)/bin/python -m pip --version >/dev/null 2>&1; \
	then \
		sed 's/^/  /' $(2).log >&2; rm -rf $(2) $(2).log; \
		echo "make: '$(1) -m venv' cannot make a virtual environment with pip in it." >&2; \
		echo "make: on Debian or Ubuntu install the venv module: sudo apt install python3-venv" \
		     "(for a python3.11 from python3.11 packages: python3.11-venv), then run make again." >&2; \
		exit 1; fi; \
	rm -f $(2).log; \
	echo "$(2)/bin/python -m pip install --quiet --upgrade pip"; \
	$(2)/bin/python -m pip install --quiet --upgrade pip
endef

$(VENVOK):
	$(call make_venv,$(PYTHON),$(VENV))
	@touch $@

$(STAMP): pyproject.toml | $(VENVOK)
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TESTSTAMP): pyproject.toml | $(VENVOK)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

# ruff, mypy, Pillow (make icons) and uv (make lock), pinned in the dev dependency group.
$(DEVSTAMP): pyproject.toml | $(VENVOK)
	$(BIN)/python -m pip install --quiet -e . --group dev
	touch $@ $(STAMP)

## run: set up .venv and start TapeMaster on the embedded SQLite store
run: $(STAMP)
	$(BIN)/tapemaster $(ARGS)

## test: set up .venv with the test extras and run every test headless (no display needed)
test: $(TESTSTAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

## soak: the long runs make test leaves out (pytest -m soak): the kill -9 campaign
##       (250 rounds; TAPEMASTER_SOAK_KILL_ROUNDS) and the one-minute load test.
##       docs/reliability.md: .venv/bin/python benchmarks/reliability_report.py --soak
soak: $(TESTSTAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m soak $(PYTEST_ARGS)

## lint: ruff everywhere, mypy --strict on the services and the store (pinned versions)
lint: $(TESTSTAMP) $(DEVSTAMP)
	$(BIN)/ruff check src tests tools benchmarks packaging
	$(BIN)/mypy

# The bundle is rebuilt when the spec, the package or the packaging files change.
DIST_BUNDLE := dist/tapemaster
DIST_INPUTS := tapemaster.spec pyproject.toml LICENSE tools/third_party_notices.py \
	$(shell find src/tapemaster_qt packaging -type f ! -name '*.pyc' ! -path '*/__pycache__/*')

$(DISTVENV)/.created:
	$(call make_venv,$(PYTHON),$(DISTVENV))
	@touch $@

$(DISTSTAMP): $(DISTLOCK) | $(DISTVENV)/.created
	$(DISTVENV)/bin/python -m pip install --quiet --require-hashes --no-deps -r $(DISTLOCK)
	touch $@

## dist: build dist/tapemaster/ (TapeMaster, Checkpoint, Lite, tapemaster-admin) in
##       .venv-dist, installed from packaging/dist-requirements.txt (pinned, hashed)
dist: $(DIST_BUNDLE)/tapemaster

$(DIST_BUNDLE)/tapemaster: $(DISTSTAMP) $(DIST_INPUTS)
	$(DISTVENV)/bin/pyinstaller --noconfirm --clean --log-level WARN tapemaster.spec
	@du -sh $(DIST_BUNDLE)

## test-dist: build if needed, then run the frozen programs' --self-test and a scripted
##            tapemaster-admin session (tests marked dist; make test leaves them out)
test-dist: dist $(TESTSTAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m dist tests/dist $(PYTEST_ARGS)

## lock: regenerate packaging/dist-requirements.txt (uv, every platform, with hashes)
##       after changing a dependency in pyproject.toml
lock: $(DEVSTAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dist --universal --python-version 3.11 \
		--generate-hashes --no-header --quiet --output-file $(DISTLOCK)
	@sed -i '1i # The exact versions make dist installs (pip --require-hashes). Regenerate with\n# make lock after a dependency changes in pyproject.toml; never edit by hand.' \
		$(DISTLOCK)

# The catalogues: a .ts (XML, what translators edit, e.g. with Qt Linguist) per shipped
# language and the .qm compiled from it (package data, committed so that an install from
# a clean clone has it). English, the source language, has the plural forms only. Source locations are left out of the .ts so that moving code
# does not change it; -no-obsolete drops texts the sources no longer have.
I18N := src/tapemaster_qt/resources/i18n
LANGUAGES := de
I18N_SOURCES = $$(find src/tapemaster_qt -name '*.py' ! -path '*/__pycache__/*' | LC_ALL=C sort)

## translations: refresh the .ts catalogues from the sources (pyside6-lupdate), then
##               compile the .qm files (pyside6-lrelease); docs/translations.md
translations: $(STAMP)
	$(BIN)/pyside6-lupdate -silent -locations none -no-obsolete $(I18N_SOURCES) \
		-ts $(foreach lang,$(LANGUAGES),$(I18N)/tapemaster_$(lang).ts)
	$(BIN)/pyside6-lupdate -silent -locations none -no-obsolete -pluralonly \
		$(I18N_SOURCES) -ts $(I18N)/tapemaster_en.ts
	$(foreach lang,en $(LANGUAGES),$(BIN)/pyside6-lrelease -nounfinished \
		$(I18N)/tapemaster_$(lang).ts -qm $(I18N)/tapemaster_$(lang).qm &&) true

## notices: print THIRD-PARTY-NOTICES for what .venv has installed (make dist puts the
##          one for the bundle's own libraries into dist/tapemaster/)
notices: $(STAMP)
	$(BIN)/python tools/third_party_notices.py

## icons: regenerate packaging/icons/ (PNGs, .ico, .icns) from the SVG (Qt and Pillow)
icons: $(DEVSTAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python packaging/make_icons.py

## bench: performance figures with ratios (docs/performance.md); a few minutes. The scale
##        and logon figures also on a PostgreSQL store (a throwaway server; skipped with
##        a note where PostgreSQL is not installed)
bench: $(TESTSTAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_startup.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_scale.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_scale.py --postgresql
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_refusals.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_recovery.py
	$(BIN)/python benchmarks/bench_integrity.py

## load: 16 programs on one store for 60 s: logons/s, p50/p99 latency and the invariants
##       (no audit row lost or doubled, no wrong decision, no "database is locked");
##       LOAD_ARGS="--seconds 10 --processes 4" for a quick one; build/reliability/load.json
load: $(STAMP)
	$(BIN)/python benchmarks/load.py $(LOAD_ARGS)

## load-pg: 32 desktops on one PostgreSQL server (a throwaway one) for 60 s, the same
##          invariants and figures (build/reliability/load-pg.json); then again with 4
##          programs killed with SIGKILL and the server restarted half-way
##          (load-pg-faults.json). LOAD_ARGS as for make load
load-pg: $(TESTSTAMP)
	$(BIN)/python benchmarks/load.py --postgresql --processes 32 --seconds 60 $(LOAD_ARGS)
	$(BIN)/python benchmarks/load.py --postgresql --processes 32 --seconds 60 \
		--restart-server-at 0.5 --kill 4 \
		--output build/reliability/load-pg-faults.json $(LOAD_ARGS)

## screenshots: regenerate docs/screenshots (needs xvfb-run; a demo store in /tmp)
screenshots: $(STAMP)
	PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring xvfb-run -a -s "-screen 0 1600x1000x24" \
		$(BIN)/python tools/screenshots.py

## clean: remove .venv, .venv-dist, build/, dist/ and the caches (nothing you made)
clean:
	rm -rf $(VENV) $(VENV).log $(DISTVENV) $(DISTVENV).log build dist .pytest_cache \
		.ruff_cache .mypy_cache .hypothesis src/*.egg-info
	find src tests tools benchmarks packaging -name __pycache__ -type d -prune \
		-exec rm -rf {} +

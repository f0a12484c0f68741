# The course's commands. A learner needs two: `make lab` and `make test`.
# Both set up .venv on first use and reinstall only when pyproject.toml or the lock
# (requirements/lock.txt) changes. `make` alone lists the others.

# The first Python >= 3.11 on PATH (override: make lab PYTHON=/path/to/python3.12)
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && echo $$p && break; \
	done)
ifeq ($(strip $(PYTHON)),)
PYTHON := python3
endif
VENV := .venv
BIN := $(VENV)/bin
# TensorFlow build: `cpu` (on Linux x86-64 the CPU-only `tensorflow-cpu`, which never sees a GPU)
# or `gpu` (`tensorflow[and-cuda]`, same version, CUDA from pip; needs an NVIDIA driver), e.g.
# `make lab TENSORFLOW=gpu`. Switching reinstalls TensorFlow in .venv (tools/tensorflow_build.py).
TENSORFLOW ?= cpu
# Exact versions of everything installed (a pip constraints file; `make lock` regenerates it).
LOCK := requirements/lock.txt
# Two installs, each with its stamp (README "Installs"): the learner's (`make lab`: the course,
# no grading tools) and the full one (`make test` and the maintainer's targets: the course with
# its `instructor` and `dev` extras). A stamp is remade when pyproject.toml or the lock changes.
# Once .venv has had the full install, `make lab` keeps it full: it never removes an extra.
LEARNER_INSTALL := .
FULL_INSTALL := .[instructor,dev]
LEARNER_STAMP := $(VENV)/.installed-learner-$(TENSORFLOW)
FULL_STAMP := $(VENV)/.installed-full-$(TENSORFLOW)
LAB_STAMP := $(if $(wildcard $(VENV)/.installed-full-*),$(FULL_STAMP),$(LEARNER_STAMP))
# `make lab` shows a learner's JupyterLab: nbgrader's instructor plugins (create assignment,
# formgrader, course list) are disabled by this Jupyter config folder, even in a full install.
# `make instructor-lab` opens the course folder with everything enabled.
LEARNER_JUPYTER := $(CURDIR)/tools/jupyter/learner
LAB_ARGS ?=
# Jupyter refuses to run as root unless told; containers and CI often are root.
ALLOW_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
PYTEST_ARGS ?=
# Run notebooks and tests on all cores (2 in CI); `make test JOBS=1` runs them one by one.
JOBS ?= auto
# Every tier runs in FAST mode, as in `make test`; a test file's tests stay on one worker.
PYTEST = COURSE_FAST=1 $(BIN)/python -m pytest -n $(JOBS) --dist loadfile
# Hide TensorFlow's C++ log lines (CPU feature notes, a harmless tf.data attribute warning)
# in notebooks; Python errors still show. `make lab TF_CPP_MIN_LOG_LEVEL=0` shows them all.
export TF_CPP_MIN_LOG_LEVEL ?= 3

# Programs beyond Python: the grading sandbox (bubblewrap; prlimit and setpriv from util-linux)
# and Chromium for the browser tests. `make test` installs them with apt-get when it may (root or
# password-less sudo), or says the one command to run; `make sandbox` installs only the sandbox,
# `make chromium` only the browser.
SANDBOX_PROGRAMS := bwrap:bubblewrap prlimit:util-linux setpriv:util-linux
BROWSER_PROGRAMS := chromium:chromium
# The hub test (tests/hub) also needs Node.js and npm, for configurable-http-proxy (the npm package
# JupyterHub routes through), installed from deploy/proxy/package-lock.json by `make hub-proxy`.
HUB_PROGRAMS := node:nodejs npm:npm
TEST_PROGRAMS := $(SANDBOX_PROGRAMS) $(BROWSER_PROGRAMS) $(HUB_PROGRAMS)
HUB_PROXY := deploy/proxy/node_modules/.bin/configurable-http-proxy

.PHONY: help setup system-test sandbox chromium hub-proxy lab instructor-lab test test-unit test-content \
	test-assignments test-browser test-hub test-notebooks lock site bench navigation clean

help:
	@echo "make lab    set up .venv if needed (learner install) and open JupyterLab on the course"
	@echo "make test   set up .venv if needed (full install) and run every test (notebooks in FAST mode)"
	@echo "make test-unit | test-content | test-assignments | test-browser | test-hub   one tier of the tests (tests/<tier>)"
	@echo "make test-notebooks   only execute every notebook (FAST mode, tests/content/test_notebooks.py)"
	@echo "make instructor-lab   full install, JupyterLab on assignments/ with nbgrader's instructor tools"
	@echo "make lock   regenerate requirements/lock.txt (newest versions pyproject.toml allows; then make test)"
	@echo "make sandbox   install the grading sandbox (bubblewrap) that autograde needs"
	@echo "make site   execute every notebook (full run) into a static HTML site in site/ (COURSE_FAST=1 make site: quick)"
	@echo "make bench  time every notebook (FAST and full), collect its results, run tutorial 000's AAPL training -> bench/RESULTS.md"
	@echo "make navigation   regenerate the links between notebooks and the README map"
	@echo "make clean  remove .venv and caches"
	@echo "Options: TENSORFLOW=gpu (CUDA build), JOBS=1, PYTEST_ARGS=\"-k windows\", PYTHON=/path/to/python3.11"

# The full install (the course, instructor and dev extras); `make lab` alone installs less.
setup: $(FULL_STAMP)

system-test:
	@sh tools/system_packages.sh $(TEST_PROGRAMS)

sandbox:
	@sh tools/system_packages.sh $(SANDBOX_PROGRAMS)

chromium:
	@sh tools/system_packages.sh $(BROWSER_PROGRAMS)

# configurable-http-proxy for JupyterHub (deploy/README.md), at the lock's versions.
hub-proxy: $(HUB_PROXY)

$(HUB_PROXY): deploy/proxy/package.json deploy/proxy/package-lock.json
	@sh tools/system_packages.sh $(HUB_PROGRAMS)
	cd deploy/proxy && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(VENV)/pyvenv.cfg:
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
		echo "error: no '$(PYTHON)' found. Install Python 3.11 or newer (python.org, pyenv or conda)"; \
		echo "       and run: make lab PYTHON=/path/to/python3.11"; exit 1; }
	@$(PYTHON) tools/check_python.py
	$(PYTHON) -m venv $(VENV)

# $(call install,WHAT,STAMP): install WHAT (`.` or `.[extras]`) with the lock's versions, switch
# the TensorFlow build, and leave STAMP as the only stamp (pip never uninstalls what was there).
define install
	@$(BIN)/python tools/check_python.py || { echo "       (.venv was made with that Python: run make clean first)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e "$(1)"
	$(BIN)/python tools/tensorflow_build.py $(TENSORFLOW)
	@rm -f $(VENV)/.installed-*
	@touch $(2)
	@echo "installed $(1) into $(VENV) (versions from $(LOCK))"
endef

$(LEARNER_STAMP): pyproject.toml $(LOCK) | $(VENV)/pyvenv.cfg
	$(call install,$(LEARNER_INSTALL),$@)

$(FULL_STAMP): pyproject.toml $(LOCK) | $(VENV)/pyvenv.cfg
	$(call install,$(FULL_INSTALL),$@)

lab: $(LAB_STAMP)
	JUPYTER_CONFIG_PATH="$(LEARNER_JUPYTER)$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
		$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ALLOW_ROOT) $(LAB_ARGS) notebooks/00_welcome.ipynb

# nbgrader reads assignments/nbgrader_config.py from the folder the server runs in.
instructor-lab: setup
	cd assignments && $(abspath $(BIN))/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS)

# Every tier of tests/ (testpaths in pyproject.toml); the programs of every tier first.
test: setup system-test hub-proxy
	$(PYTEST) $(PYTEST_ARGS)

# One tier each (the folder's marker is set by tests/conftest.py); `make test-unit` needs no
# system programs, assignments need the sandbox, browser tests need Chromium.
test-unit: setup
	$(PYTEST) tests/unit $(PYTEST_ARGS)

test-content: setup
	$(PYTEST) tests/content $(PYTEST_ARGS)

test-assignments: setup sandbox
	$(PYTEST) tests/assignments $(PYTEST_ARGS)

test-browser: setup chromium
	$(PYTEST) tests/browser $(PYTEST_ARGS)

# A class on a real JupyterHub: needs root (Unix accounts, PAM), the sandbox, Chromium and Node.js.
test-hub: setup system-test hub-proxy
	$(PYTEST) tests/hub $(PYTEST_ARGS)

test-notebooks: setup
	$(PYTEST) tests/content/test_notebooks.py $(PYTEST_ARGS)

# Newest versions pyproject.toml allows, installed in a throw-away venv and frozen (tools/lock.py).
lock:
	@$(PYTHON) tools/check_python.py
	$(PYTHON) tools/lock.py

site: setup
	$(BIN)/course site $(SITE_ARGS)

# A benchmark, not a test: about 25 minutes on 2 cores (`make bench BENCH_ARGS="--modes fast --no-tutorial"`: 2 min).
bench: setup
	$(BIN)/course bench $(BENCH_ARGS)

navigation: setup
	$(BIN)/course nav --write

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info site test-output bench/out deploy/proxy/node_modules
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

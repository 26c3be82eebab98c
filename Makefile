# Stackwise — `make run` and `make test` each set themselves up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= .stackwise
STAMP := $(VENV)/.installed

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test test-all eval bench lint ingest ui clean e2e

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first: the pinned CPU build; anything else would pull CUDA wheels
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(STORE)/records.sqlite: | $(STAMP)
	$(BIN)/stackwise ingest knowledge/ --store $(STORE)

ingest: $(STAMP)
	$(BIN)/stackwise ingest knowledge/ --store $(STORE)

run: $(STAMP) $(STORE)/records.sqlite
	STACKWISE_STORE=$(STORE) $(BIN)/stackwise ui

test: $(STAMP)
	$(BIN)/pytest -q

test-all: $(STAMP)
	$(BIN)/pytest -q -m "slow or not slow"

e2e: $(STAMP)
	$(BIN)/pytest -q -m e2e

eval: $(STAMP) $(STORE)/records.sqlite
	STACKWISE_STORE=$(STORE) $(BIN)/python -m evals retrieval answers plans badges skills

bench: $(STAMP) $(STORE)/records.sqlite
	STACKWISE_STORE=$(STORE) $(BIN)/python -m evals perf

lint: $(STAMP)
	$(BIN)/ruff check assistant ingest evals tests app.py
	$(BIN)/ruff format --check assistant ingest evals tests app.py
	$(BIN)/mypy assistant ingest

clean:
	rm -rf $(STORE) $(VENV)

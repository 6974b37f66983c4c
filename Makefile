# The two commands a newcomer needs are `make demo` and `make test`; both start what they need.
SHELL := /bin/bash
PYTHON_BIN ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
STACK := deploy/local/stack.sh

.PHONY: help install up down status topics demo console screenshots test test-unit test-integration lint chaos bench schemas clean

help:
	@echo "make demo               bring up Kafka, PostgreSQL, SMTP; run every service on sample applications"
	@echo "make console            after make demo: the caseworkers' and desk officers' console on the demo's cases"
	@echo "make test               the whole test suite against the real broker, database and SMTP server"
	@echo "make test-unit          only the fast tests that need no infrastructure"
	@echo "make lint               ruff (lint, import order, format) and mypy"
	@echo "make chaos              every fault scenario at full length, judged by the consistency checker"
	@echo "make bench              throughput benchmark: baselines, then 20,000 applications with 1 and 2 workers"
	@echo "make up | down | status the local infrastructure (deploy/local/stack.sh)"
	@echo "make schemas            re-export the JSON Schemas under schemas/json/"

$(INSTALLED): pyproject.toml
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,bench,lint]'
	@touch $(INSTALLED)

install: $(INSTALLED)

up: install
	@$(STACK) up
	@$(PY) -m ind_runtime.admin create-topics

down:
	@$(STACK) down

status:
	@$(STACK) status

demo: up
	@$(PY) -m harness.demo

console: up
	@$(PY) -m harness.console

screenshots: up
	@$(PY) -m harness.console --screenshots docs/screenshots

test: up
	@$(STACK) up kafka-sasl
	@$(PY) -m pytest

test-unit: install
	@$(PY) -m pytest tests/unit

test-integration: up
	@$(PY) -m pytest tests/integration

lint: install
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy

chaos: install
	@$(PY) -m harness.chaos

bench: install
	@$(PY) -m harness.bench $(BENCH_ARGS)

schemas: install
	@$(PY) -m schemas.export

clean: down
	rm -rf .state

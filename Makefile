# Two commands: `make demo` (set up, generate a sample, run the pipeline) and `make test`.
# Each builds its own .venv from uv.lock with nothing but Python 3.11 and the registries.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.8
UV := .tools/bin/uv
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.venv
export UV_PYTHON_DOWNLOADS := never
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DAGSTER_DISABLE_TELEMETRY := true
CHISO := .venv/bin/chiso

.PHONY: setup demo test lint clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

setup: .venv/.synced

demo: setup
	$(CHISO) generate

test: setup
	$(UV) run --frozen --no-sync ruff check .
	$(UV) run --frozen --no-sync pytest -q

lint: setup
	$(UV) run --frozen --no-sync ruff check .

clean:
	rm -rf .venv .tools var dbt_project/target

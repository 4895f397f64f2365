# Two commands: `make demo` (set up, generate a sample, run the pipeline) and `make test`.
# Each builds its own .venv from uv.lock with nothing but Python 3.11 and the registries.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.8
UV := .tools/bin/uv
CHISO_HOME ?= $(CURDIR)/var
export CHISO_HOME
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/.venv
export UV_PYTHON_DOWNLOADS := never
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DAGSTER_DISABLE_TELEMETRY := true
export DAGSTER_HOME ?= $(CHISO_HOME)/dagster
VENV := .venv/bin
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o -path dbt_project/logs -prune -o -type f -print)
MANIFEST := dbt_project/target/manifest.json

.PHONY: setup demo test test-fast test-slow lint ui clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

# the dbt manifest is a build artefact: Dagster reads it, never parses the project itself
$(MANIFEST): .venv/.synced $(DBT_SOURCES)
	cd dbt_project && CHISO_WAREHOUSE=$${CHISO_WAREHOUSE:-$(CHISO_HOME)/warehouse.duckdb} \
		../$(VENV)/dbt parse --quiet --profiles-dir .

setup: .venv/.synced $(MANIFEST)

demo: setup
	$(VENV)/chiso generate
	$(VENV)/chiso run

# two workers: the shared pipeline run on one, the other modules beside it (tests/conftest.py)
PYTEST_WORKERS := -n 2 --dist loadscope

test: lint
	$(VENV)/pytest $(PYTEST_WORKERS)

# everything but the end-to-end tests (real dbt builds and Dagster runs)
test-fast: lint
	$(VENV)/pytest $(PYTEST_WORKERS) -m "not e2e and not slow"

# the measurements on demo-sized samples (minutes each): quality flags against the ground truth
test-slow: setup
	$(VENV)/pytest -m slow

lint: setup
	$(VENV)/ruff check .
	$(VENV)/lint-imports

# the Dagster UI on http://127.0.0.1:3000
ui: setup
	$(VENV)/chiso dagster-home
	$(VENV)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

clean:
	rm -rf .venv .tools var dbt_project/target dbt_project/logs

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
# one "planned" event per asset for a run's range of months, not one per month (why:
# DAGSTER_ENVIRONMENT in chiso/runtime.py, which the CLI applies; this is for `make ui`)
export DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS ?= true
export DAGSTER_HOME ?= $(CHISO_HOME)/dagster
VENV := .venv/bin
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o -path dbt_project/logs -prune -o -type f -print)
MANIFEST := dbt_project/target/manifest.json

.PHONY: setup demo test test-fast test-slow test-spark java lint ui clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# a .venv that has the `spark` extra keeps it (`make test-spark` installed it). Bytecode is
# compiled at install: where PYTHONDONTWRITEBYTECODE is set (this machine), Python would
# otherwise compile every imported module again in every process, 6 s of each dbt or Dagster
# start (Great Expectations, Dagster and dbt imported: 12 s -> 6 s)
.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON) $(if $(wildcard .venv/.synced-spark),--extra spark)
	touch $@

# the dbt manifest is a build artefact: Dagster reads it, never parses the project itself
$(MANIFEST): .venv/.synced $(DBT_SOURCES)
	cd dbt_project && CHISO_WAREHOUSE=$${CHISO_WAREHOUSE:-$(CHISO_HOME)/warehouse.duckdb} \
		../$(VENV)/dbt parse --quiet --profiles-dir .

setup: .venv/.synced $(MANIFEST)

# the `spark` extra (dbt-spark, pyspark) on top of the same .venv
.venv/.synced-spark: .venv/.synced pyproject.toml uv.lock
	$(UV) sync --frozen --compile-bytecode --extra spark --python $(PYTHON)
	touch $@

# Spark 4 runs on Java 17: Debian's headless runtime when none is there (CI runs as root)
java:
	@if ! java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then \
		apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless; \
	fi

demo: setup
	$(VENV)/chiso generate
	$(VENV)/chiso run

# two workers: the shared pipeline run on one, the other modules beside it (tests/conftest.py)
PYTEST_WORKERS := -n 2 --dist loadscope

test: lint
	$(VENV)/pytest $(PYTEST_WORKERS)

# everything but the end-to-end tests (real dbt builds and Dagster runs)
test-fast: lint
	$(VENV)/pytest $(PYTEST_WORKERS) -m "not e2e and not slow and not spark"

# the measurements on demo-sized samples (minutes each): quality flags against the ground truth
test-slow: setup
	$(VENV)/pytest -m slow

# the same dbt models on Apache Spark (local, in-process): a small sample built by the DuckDB
# pipeline and by dbt-spark, every relation compared row for row (minutes; not in `make test`)
test-spark: .venv/.synced-spark java setup
	$(VENV)/pytest -m spark

lint: setup
	$(VENV)/ruff check .
	$(VENV)/lint-imports

# the Dagster UI on http://127.0.0.1:3000
ui: setup
	$(VENV)/chiso dagster-home
	$(VENV)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

clean:
	rm -rf .venv .tools var dbt_project/target dbt_project/logs

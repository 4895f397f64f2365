"""Runtime state under CHISO_HOME: Dagster's local storage and the local pseudonymisation key."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from foundation import settings

DAGSTER_YAML = """\
# chiso: Dagster's local storage lives under CHISO_HOME; no telemetry (no network here)
telemetry:
  enabled: false
# DuckDB has one writer and every run writes the warehouse: runs wait in the queue, one at a
# time (backfills from the UI run Dagster's implicit asset job, which carries none of our tags:
# the limit is on all runs; the tag limit says why)
concurrency:
  runs:
    max_concurrent_runs: 1
    tag_concurrency_limits:
      - key: chiso/writes
        value: warehouse
        limit: 1
# Dagster's SQLite event log (where it keeps it by default), with its engines kept between
# events: chiso/dagster_storage.py
event_log_storage:
  module: chiso.dagster_storage
  class: EngineCachingSqliteEventLogStorage
  config:
    base_dir: {runs}
"""

# Set for every process that creates runs (the CLI here, `make ui` in the Makefile). A night
# targets every month up to the current one and rebuilds those new data touched; before the
# run starts Dagster stores a "planned" event per month and monthly asset, each a transaction
# of its local SQLite storage (a 1 M night: 1,016 of them and 560 for the checks, 15.5 s).
# With this it stores one per asset for the whole range (164 and 560, 7.5 s). Dagster's
# documented cost: a failed run does not mark its months failed (the run shows the failure).
DAGSTER_ENVIRONMENT = {"DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "true"}


def ensure_dagster_environment() -> None:
    """What `DAGSTER_ENVIRONMENT` asks, unless the operator's environment says otherwise."""
    for name, value in DAGSTER_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


def dagster_yaml(home: Path) -> str:
    """Our `dagster.yaml` for the Dagster home `home`."""
    return DAGSTER_YAML.format(runs=json.dumps(str(home.resolve() / "history" / "runs")))


def ensure_dagster_home() -> Path:
    home = Path(os.environ.get("DAGSTER_HOME", settings.chiso_home() / "dagster"))
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    # ours (it starts with our header) is kept current; an operator's own file is left alone
    ours = dagster_yaml(home)
    found = config.read_text(encoding="utf-8") if config.exists() else None
    if found is None or (found.startswith("# chiso:") and found != ours):
        config.write_text(ours, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    ensure_dagster_environment()
    return home


def ensure_pii_key() -> Path | None:
    """Use CHISO_PII_KEY when set; otherwise create (once) a local key for the demo and say
    where it is. Returns the key file when a local key is in use."""
    if os.environ.get("CHISO_PII_KEY"):
        return None
    key_file = settings.chiso_home() / "pii.key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32), encoding="utf-8")
        key_file.chmod(0o600)
    os.environ["CHISO_PII_KEY"] = key_file.read_text(encoding="utf-8").strip()
    return key_file

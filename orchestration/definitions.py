"""The one `Definitions` of chiso, loaded by `dagster dev` (workspace.yaml), the CLI and the
tests alike: one folder per domain under `defs/`, merged here in one explicit list. Importing
it reads the dbt manifest and nothing else: resources resolve the environment at run time."""

from __future__ import annotations

import dagster as dg

from orchestration.defs import (
    dossiers,
    ingestion,
    pipeline,
    publication,
    quality,
    surveys,
    warehouse,
)
from orchestration.lib.resources import InboxResource, WarehouseResource, dbt_resource

DOMAINS = (ingestion, warehouse, dossiers, surveys, quality, publication, pipeline)

defs = dg.Definitions.merge(
    *(domain.defs for domain in DOMAINS),
    dg.Definitions(
        resources={"warehouse": WarehouseResource(), "inbox": InboxResource(),
                   "dbt": dbt_resource()},
        # one process, one step at a time: DuckDB has a single writer
        executor=dg.in_process_executor,
    ),
)

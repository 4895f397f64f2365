"""Which months the dossier marts must rebuild (the rule itself, shared with the yearly survey
indices, is `orchestration.lib.dirty_periods`).

A dossier row loaded since the last monthly build can change every period from the earliest
moment it mentions (a late event for March changes March and, through the stocks carried over,
every month after it) to the last month of data; nothing before. A change of the reference
data the statistics are judged against (legal processing times, the working-day calendar,
agencies, the service index configuration) or of the models themselves changes every month.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from orchestration.lib.dirty_periods import MONTH, Inputs, exists

# the reference data every monthly figure is judged against (built by the unpartitioned models)
REFERENCE_RELATIONS = (
    "intermediate.int_reference__procedures",
    "intermediate.int_reference__working_days",
    "intermediate.int_reference__agencies",
    "intermediate.int_reference__province_crosswalk",
    "seeds.service_index_criteria",
    "seeds.service_index_bands",
    "seeds.petition_deadlines",
)
# what happened (the data's last month), and what a row mentions at all (its earliest month)
RECORD_EVENTS = ("submitted_at", "received_at", "processing_ended_at", "result_returned_at",
                 "updated_at")
RECORD_MOMENTS = (*RECORD_EVENTS, "due_at")


def data_months(con: duckdb.DuckDBPyConnection, loaded_after: dt.datetime | None = None
                ) -> tuple[dt.datetime, dt.datetime] | None:
    """Earliest and latest moment the dossier rows mention (only rows loaded after the
    given time, when one is given)."""
    where = "where _loaded_at > ?" if loaded_after else ""
    params = [loaded_after] if loaded_after else []
    parts = []
    if exists(con, "raw.dossier_records"):
        parts.append(f"select least({', '.join(RECORD_MOMENTS)}) as first_at, "
                     f"greatest({', '.join(RECORD_EVENTS)}) as last_at "
                     f"from raw.dossier_records {where}")
    if exists(con, "raw.dossier_events"):
        parts.append(f"select least(event_at, new_due_at), event_at "
                     f"from raw.dossier_events {where}")
    if not parts:
        return None
    row = con.execute(f"select min(first_at), max(last_at) from ({' union all '.join(parts)})",
                      params * len(parts)).fetchone()
    return None if row[0] is None else (row[0], row[1])


DOSSIER_INPUTS = Inputs(
    watermark="monthly_marts", grain=MONTH, loaded_tables=("dossier_records", "dossier_events"),
    spans=data_months, reference_relations=REFERENCE_RELATIONS,
)

"""Which months the dossier marts must rebuild (the rule itself, shared with the yearly survey
indices, is `orchestration.lib.dirty_periods`).

A dossier row loaded since the last monthly build can change every period from the earliest
moment it mentions (a late event for March changes March and, through the stocks carried over,
every month after it) to the last month of data; nothing before. The other inputs of the
monthly marts mark their months the same way: a petition the months it was received and
answered in, the portal's evaluation its own month, a procedure announcement the month of its
decision, so that a late export for an old month rebuilds that month. A change of the reference
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
    "seeds.service_index_rules",
)
# the raw tables the monthly marts read, with the earliest moment a row mentions (the first
# month it can change) and the latest moment it speaks of (the data's last month)
MONTHLY_INPUTS: tuple[tuple[str, str, str], ...] = (
    ("dossier_records",
     "least(submitted_at, received_at, processing_ended_at, result_returned_at, updated_at, "
     "due_at)",
     "greatest(submitted_at, received_at, processing_ended_at, result_returned_at, updated_at)"),
    ("dossier_events", "least(event_at, new_due_at)", "event_at"),
    # a petition counts in the month it was answered; its receipt is where its record starts
    ("petitions", "least(received_at, handled_at)", "greatest(received_at, handled_at)"),
    # the portal's evaluation of a unit and month
    ("portal_evaluation", "cast(make_date(year, month, 1) as timestamp)",
     "cast(make_date(year, month, 1) as timestamp)"),
    # an announcement counts in the month of its decision
    ("procedure_announcements", "cast(decided_on as timestamp)", "cast(decided_on as timestamp)"),
)

def data_months(con: duckdb.DuckDBPyConnection, loaded_after: dt.datetime | None = None
                ) -> tuple[dt.datetime, dt.datetime] | None:
    """Earliest and latest moment the rows of the monthly inputs mention (only rows loaded
    after the given time, when one is given)."""
    where = "where _loaded_at > ?" if loaded_after else ""
    params = [loaded_after] if loaded_after else []
    parts = [f"select {first} as first_at, {last} as last_at from raw.{table} {where}"
             for table, first, last in MONTHLY_INPUTS if exists(con, f"raw.{table}")]
    if not parts:
        return None
    row = con.execute(f"select min(first_at), max(last_at) from ({' union all '.join(parts)})",
                      params * len(parts)).fetchone()
    return None if row[0] is None else (row[0], row[1])


DOSSIER_INPUTS = Inputs(
    watermark="monthly_marts", grain=MONTH,
    loaded_tables=tuple(table for table, _, _ in MONTHLY_INPUTS), spans=data_months,
    reference_relations=REFERENCE_RELATIONS,
)

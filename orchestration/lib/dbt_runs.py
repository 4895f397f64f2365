"""Every dbt invocation of the graph, in one place.

`dbt_build`: `dbt build` on the run's warehouse, its events streamed to Dagster, each built
table with its row count.

`build_periods`: a group of models built by period (monthly dossier marts, yearly survey
indices). A run asking for periods rebuilds exactly those; a run asking for what new data
touched (schedule, sensor, plain `chiso run`) rebuilds only the periods touched since the
group's last build (`orchestration.lib.dirty_periods`); in one dbt invocation either way, the
periods rebuilt recorded in the materialisations' metadata.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource

from foundation import settings
from orchestration.lib import dirty_periods
from orchestration.lib.dbt_project import MANIFEST, in_dependency_order
from orchestration.lib.resources import WarehouseResource

ROW_COUNT_LOG = "chiso_row_count "  # what macros/row_counts.sql logs after each table
# unit tests check the SQL on hand-made rows, not the data: they run where the code changes
# (`make test`, CI: tests/dbt/test_dbt_project.py builds with them), not in every pipeline run
# (dbt's own advice); data tests do run with every build
UNIT_TESTS_APART = ("--exclude-resource-type", "unit_test")
PARSED_PROJECT = "partial_parse.msgpack"  # dbt's parsed project, in its target folder


def dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource,
              warehouse: WarehouseResource, args: list[str] | None = None, *,
              window: dirty_periods.PeriodRange | None = None,
              metadata: Mapping[str, Any] | None = None) -> Iterator[Any]:
    """`dbt build` (with `args`, and the partition `window` for models built by period) for
    the models of the running step, its events streamed to Dagster as dbt goes; every output
    carries `metadata` and, for a table, its row count
    (`dagster/row_count`: the whole table, whatever the periods rebuilt), which dbt logs once
    the table is built (dbt holds the DuckDB file while it runs: nobody else can count).
    Each step keeps its dbt artefacts in its own target folder, where the next run finds the
    parsed project (partial parsing) and no other step overwrites it."""
    counts: dict[str, int] = {}
    target = settings.dbt_target_dir(context.op_def.name)
    seed_parsed_project(target)
    with warehouse.dbt_environment(_window_environment(window)):
        invocation = dbt.cli(["build", *UNIT_TESTS_APART, *(args or [])], context=context,
                             target_path=target)
        for raw in invocation.stream_raw_events():
            info, data = raw.raw_event["info"], raw.raw_event["data"]
            unique_id = data.get("node_info", {}).get("unique_id")
            if info["name"] == "JinjaLogInfo" and info["msg"].startswith(ROW_COUNT_LOG):
                counts[unique_id] = int(info["msg"].removeprefix(ROW_COUNT_LOG))
                continue
            for event in raw.to_default_asset_events(
                    manifest=invocation.manifest,
                    dagster_dbt_translator=invocation.dagster_dbt_translator, context=context,
                    target_path=invocation.target_path, project=invocation.project):
                if isinstance(event, dg.Output):
                    extra = dict(metadata or {})
                    if unique_id in counts:
                        extra["dagster/row_count"] = counts[unique_id]
                    event = event.with_metadata({**event.metadata, **extra})
                yield event


def seed_parsed_project(target: Path) -> None:
    """A step's first dbt call in a home starts from the project another step of the home
    parsed, or else from the one `make setup` parsed: the steps give dbt the same profile and
    environment, so it reads what changed instead of parsing the whole project (about 8 s a
    step on a home's first run). dbt checks the file against the project's files, vars,
    environment and profile (the warehouse's path among them), and parses it all again when it
    no longer matches."""
    if (target / PARSED_PROJECT).exists():
        return
    parsed = sorted(target.parent.glob(f"*/{PARSED_PROJECT}"), key=lambda p: p.stat().st_mtime)
    parsed = parsed or [p for p in (MANIFEST.parent / PARSED_PROJECT,) if p.exists()]
    if parsed:
        target.mkdir(parents=True, exist_ok=True)
        copy = target / f".{PARSED_PROJECT}.tmp"
        shutil.copyfile(parsed[-1], copy)
        copy.replace(target / PARSED_PROJECT)


@dataclass(frozen=True)
class PeriodicModels:
    """A group of dbt models built by month or by year."""

    inputs: dirty_periods.Inputs
    first: dt.date  # the first day of the first partition
    # its models also rewrite the period after the range (a year's change against the previous)
    rewrites_following_period: bool = False

    @property
    def metadata_key(self) -> str:
        return f"chiso/rebuilt_{self.inputs.grain.name}s"


def _window_environment(periods: dirty_periods.PeriodRange | None) -> dict[str, str]:
    """The window in the environment, where macros/monthly_partitions.sql reads it (not in
    --vars: dbt parses the whole project again when they change). Set empty without a window,
    so that a variable left in the shell cannot narrow a build."""
    return {"CHISO_PARTITION_START": periods.start.isoformat() if periods else "",
            "CHISO_PARTITION_END": periods.end.isoformat() if periods else ""}


def _metadata(group: PeriodicModels, periods: dirty_periods.PeriodRange) -> dict[str, str]:
    found = {group.metadata_key: periods.label()}
    if group.rewrites_following_period:
        following = periods.end.strftime(group.inputs.grain.label_format)
        last = periods.starts()[-1].strftime(group.inputs.grain.label_format)
        found["chiso/also_refreshed"] = f"{following} (its change against {last})"
    return found


def build_periods(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                  warehouse: WarehouseResource, group: PeriodicModels, *,
                  asked: dirty_periods.PeriodRange | None, touched: bool) -> Iterator[Any]:
    """Rebuild the periods `asked` (every period when None), or, when `touched`, those of them
    new data touched since the group's last build (then recorded as its watermark)."""
    grain = group.inputs.grain
    if not touched:
        if asked is None:
            raise ValueError(f"no {grain.name}s asked for and none to find: nothing to build")
        context.log.info(f"rebuilding the {grain.name}s asked for: {asked.label()}")
        yield from dbt_build(context, dbt, warehouse, window=asked,
                             metadata=_metadata(group, asked))
        return
    with warehouse.connect() as con:
        previous = dirty_periods.previous_watermark(con, group.inputs.watermark)
        current = dirty_periods.current_watermark(con, MANIFEST, group.inputs)
        periods = dirty_periods.periods_to_rebuild(con, group.inputs, previous, current,
                                                   first=group.first)
        empty = None if periods is not None else dirty_periods.empty_build(
            con, group.inputs, previous, current,
            [".".join(key.path) for key in context.selected_asset_keys],
            first=asked.start if asked is not None else group.first)
    periods = periods or empty
    if periods is not None and asked is not None:
        periods = dirty_periods.PeriodRange(max(periods.start, asked.start),
                                            min(periods.end, asked.end), grain)
    if periods is None or periods.start >= periods.end:
        periods = None
        context.log.info(f"nothing new and no reference or model change: no {grain.name} "
                         f"to rebuild")
        # the tables are current; Dagster wants the outputs in dependency order
        for key in in_dependency_order(context.assets_def, context.selected_asset_keys):
            yield dg.Output(None, output_name=context.assets_def.get_output_name_for_asset_key(key),
                            metadata={group.metadata_key: "none"})
    else:
        # the models or reference data changed (or nothing was built yet): every period, from
        # scratch, so that a model's new columns reach its incremental table
        whole = previous is None or previous.fingerprint != current.fingerprint
        if empty is not None:
            context.log.info("no data for these tables yet: building them empty, for the "
                             "quality gate and the publication to read")
            metadata = {group.metadata_key: "none", "chiso/built_empty": "no data yet"}
        else:
            context.log.info(f"rebuilding the {grain.name}s new data touched: {periods.label()}"
                             + (" (from scratch: the models or reference data changed)"
                                if whole else ""))
            metadata = _metadata(group, periods)
        yield from dbt_build(context, dbt, warehouse, ["--full-refresh"] if whole else [],
                             window=periods, metadata=metadata)
    with warehouse.connect() as con:
        dirty_periods.save_watermark(con, group.inputs.watermark, current,
                                     None if empty is not None else periods, context.run.run_id)

"""chiso at national scale: one command per scenario, each run through the real Dagster job
`chiso_pipeline` in a child process, its wall time and the peak memory of its process tree
recorded per stage (ingestion, each dbt model group, the quality gate, the publication) in
`benchmarks/results.json`, with the machine, the load average around it and the command.

    .venv/bin/python benchmarks/scale.py full --dossiers 1000000 --runs 3
    .venv/bin/python benchmarks/scale.py increment --dossiers 10000000 --runs 3
    .venv/bin/python benchmarks/scale.py increment-empty --dossiers 10000000 --runs 3
    .venv/bin/python benchmarks/scale.py monthly --dossiers 10000000 --runs 3
    .venv/bin/python benchmarks/scale.py ingest --dossiers 1000000 --runs 3
    .venv/bin/python benchmarks/scale.py generate --dossiers 10000000 --runs 3
    .venv/bin/python benchmarks/scale.py report      # results.md from results.json
    .venv/bin/python benchmarks/scale.py clean --dossiers 10000000

`full` generates N dossiers at the demo's mix (January 2024 to 30 December 2025, plus the next
day's delivery with 300,000 new dossiers in `_increment/`) unless the sample is there, builds
the warehouse from empty, runs again with nothing new (time, and whether the warehouse file
grew), and computes the monthly on-time share per province straight from the export files
with DuckDB and with pandas, beside chiso's time for the same figure. `increment` replays the
next day's delivery on a copy of the built warehouse; `increment-empty` the same delivery on a
warehouse holding everything but the dossier history; `monthly` the monthly schedule's run
(the last month rebuilt whole and published); `ingest` the ingestion step alone on each export
format of the sample (records and events, one format at a time), beside DuckDB alone copying
the same files (the format's floor); `generate` the generator alone, beside DuckDB writing the
same exports again (the machine's write floor). Each scenario works in
`CHISO_BENCH_DIR/<dossiers>` (default var/bench); `clean` deletes it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import (
    Sampled,
    ancestors,
    dbt_nodes,
    load_average,
    machine,
    run_sampled,
)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = Path(__file__).with_name("results.json")
TABLE = Path(__file__).with_name("results.md")
MANIFEST = ROOT / "dbt_project" / "target" / "manifest.json"
FIGURE = "model.chiso.fct_dossier_indicators_by_period"
END = "2025-12-30"  # the next day, 2025-12-31, is a working day: the increment's day
INCREMENT_DOSSIERS = 300_000
GIB = 2**30
# stage of each Dagster step (op name)
# Dagster step keys (an asset's step is its key joined by "__")
STAGES = {"raw_exports": "ingest", "raw__calendar_days": "ingest",
          "dbt_models": "dbt", "dbt_monthly_models": "dbt monthly marts",
          "dbt_yearly_models": "dbt yearly survey indices",
          "quality_gate": "quality gate", "dbt_published_models": "publication",
          "publication__published_file": "publication"}


# --- homes -------------------------------------------------------------------------------------

def bench_dir(dossiers: int) -> Path:
    return Path(os.environ.get("CHISO_BENCH_DIR", ROOT / "var" / "bench")).resolve() \
        / f"{dossiers}"


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHISO_")}
    keep = {k: os.environ[k] for k in ("CHISO_DUCKDB_MEMORY_LIMIT", "CHISO_DUCKDB_THREADS",
                                       "CHISO_DUCKDB_TEMP_DIR") if k in os.environ}
    return env | keep | {
        "CHISO_HOME": str(home), "CHISO_PII_KEY": "benchmark-key-not-a-secret",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "PYTHONPATH": str(ROOT),
        "DAGSTER_HOME": str(home / "dagster")}


def as_the_night_before(home: Path) -> None:
    """Leave in `home` what the night before leaves there for the next one: the parsed dbt
    project (`run_job.py --parse-only`; each step starts from it). Before a measured night or
    monthly run."""
    subprocess.run([PYTHON, str(ROOT / "benchmarks" / "run_job.py"), "--parse-only"],
                   env=environment(home), cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def reset(home: Path) -> None:
    """Everything but the inbox: the next run starts from an empty warehouse."""
    for child in home.iterdir() if home.exists() else []:
        if child.name != "inbox":
            shutil.rmtree(child) if child.is_dir() else child.unlink()


def warehouse(home: Path) -> Path:
    return home / "warehouse.duckdb"


def size_gib(path: Path) -> float:
    if path.is_file():
        return round(path.stat().st_size / GIB, 3)
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / GIB, 3)


# --- one measured step -------------------------------------------------------------------------

def generate(home: Path, dossiers: int, export_format: str) -> dict[str, Any]:
    code = ("import datetime as dt, json, sys; from pathlib import Path; "
            "from sample_generator.config import SampleConfig; "
            "from sample_generator.generate import generate; "
            f"s = generate(SampleConfig(dossiers={dossiers}, end=dt.date.fromisoformat('{END}'), "
            f"increment_dossiers={INCREMENT_DOSSIERS}, export_format='{export_format}'), "
            f"Path(sys.argv[1])); "
            "print(json.dumps({'rows': s.rows, 'dossiers': s.dossiers, "
            "'increment_rows': s.stream.increment_rows}))")
    run = run_sampled([PYTHON, "-c", code, str(home / "inbox")], env=environment(home),
                      cwd=ROOT, log=home.parent / f"generate-{home.name}.log")
    if run.returncode:
        raise SystemExit(f"generation failed: see {home.parent}/generate-{home.name}.log")
    out = json.loads(run.stdout.strip().splitlines()[-1])
    return {"stage": "generate", "seconds": round(run.seconds, 1),
            "peak_rss_gib": round(run.peak() / GIB, 2), "rows": out["rows"],
            "rows_per_s": round(out["rows"] / run.seconds), "dossiers": out["dossiers"],
            "increment_rows": out["increment_rows"]}


def pipeline(home: Path, label: str, months: tuple[str, str] | None = None) -> dict[str, Any]:
    """One run of the job; its stages with their time and peak memory."""
    argv = [PYTHON, str(ROOT / "benchmarks" / "run_job.py")]
    argv += ["--months", *months] if months else []
    load_before = load_average()
    size_before = size_gib(warehouse(home)) if warehouse(home).exists() else 0.0
    log = home.parent / f"{label}-{home.name}.log"
    run = run_sampled(argv, env=environment(home), cwd=ROOT, log=log)
    if run.returncode:
        raise SystemExit(f"{label}: the run failed, see {log}")
    job = json.loads(run.stdout.strip().splitlines()[-1])
    if not job["success"]:  # kept under its own name: the next run overwrites the log
        kept = log.with_name(f"failed-{dt.datetime.now():%Y%m%dT%H%M%S}-{log.name}")
        shutil.copyfile(log, kept)
        print(f"{label}: the job failed, its log kept as {kept}", file=sys.stderr)
    stages = _stages(run, job)
    return {"label": label, "success": job["success"], "seconds": round(run.seconds, 1),
            "peak_rss_gib": round(run.peak() / GIB, 2), "load_before": load_before,
            "load_after": load_average(), "warehouse_gib_before": size_before,
            "warehouse_gib_after": size_gib(warehouse(home)),
            "startup_seconds": round(job["imported"] - job["started"], 1),
            "stages": stages, "figure_seconds": _figure_seconds(job, stages),
            "slowest_dbt_nodes": _slowest_nodes(job), "rows_loaded": _rows_loaded(job),
            "dagster_events": job.get("events")}


def _stage(step: str) -> str | None:
    """The stage a Dagster step belongs to (None: one of the other steps)."""
    return STAGES.get(step.split("[")[0].split(".")[0])


def _stages(run: Sampled, job: dict[str, Any]) -> list[dict[str, Any]]:
    stages: dict[str, dict[str, Any]] = {}
    for step, times in job["steps"].items():
        name = _stage(step) or "other steps"
        if "start" not in times or "end" not in times:
            continue
        entry = stages.setdefault(name, {"stage": name, "seconds": 0.0, "peak": 0})
        entry["seconds"] += times["end"] - times["start"]
        entry["peak"] = max(entry["peak"], run.peak(times["start"], times["end"]))
    out = [{"stage": s["stage"], "seconds": round(s["seconds"], 1),
            "peak_rss_gib": round(s["peak"] / GIB, 2)} for s in stages.values()]
    # the other steps one by one (the asset checks, the survey inputs, ...)
    for step, times in job["steps"].items():
        if _stage(step) is None and "end" in times:
            out.append({"stage": f"  other: {step}", "seconds":
                        round(times["end"] - times["start"], 1),
                        "peak_rss_gib": round(run.peak(times["start"], times["end"]) / GIB, 2)})
    # inside the dbt steps: each model group (layer/domain) and the tests
    for step, target in job["dbt_targets"].items():
        times = job["steps"].get(step, {})
        if "start" not in times:
            continue
        groups: dict[str, dict[str, Any]] = {}
        for node in dbt_nodes(Path(target), MANIFEST, times["start"]):
            group = groups.setdefault(node.group, {"seconds": 0.0, "peak": 0, "nodes": 0})
            group["seconds"] += node.end - node.start
            group["peak"] = max(group["peak"], run.peak(node.start, node.end))
            group["nodes"] += 1
        for name, group in sorted(groups.items(), key=lambda g: -g[1]["seconds"]):
            out.append({"stage": f"  {step}: {name}", "seconds": round(group["seconds"], 1),
                        "peak_rss_gib": round(group["peak"] / GIB, 2),
                        "nodes": group["nodes"]})
    return out


def _slowest_nodes(job: dict[str, Any], top: int = 12) -> list[dict[str, Any]]:
    """The dbt models and tests that took longest, whatever their group: where to look next."""
    nodes = []
    for step, target in job["dbt_targets"].items():
        times = job["steps"].get(step, {})
        if "start" in times:
            nodes += [{"step": step, "node": node.unique_id.split(".", 2)[-1],
                       "seconds": round(node.end - node.start, 1)}
                      for node in dbt_nodes(Path(target), MANIFEST, times["start"])]
    return sorted(nodes, key=lambda n: -n["seconds"])[:top]


def _figure_seconds(job: dict[str, Any], stages: list[dict[str, Any]]) -> float | None:
    """What chiso spends on the monthly on-time figure: ingestion, and the dbt nodes the
    indicators mart is built from (staging, reference, the dossier models, the mart)."""
    path = ancestors(MANIFEST, FIGURE)
    seconds = sum(s["seconds"] for s in stages if s["stage"] == "ingest")
    found = False
    for step in ("dbt_models", "dbt_monthly_models"):
        times = job["steps"].get(step, {})
        if "start" not in times:
            continue
        for node in dbt_nodes(Path(job["dbt_targets"][step]), MANIFEST, times["start"]):
            if node.unique_id in path:
                seconds += node.end - node.start
                found = True
    return round(seconds, 1) if found else None


def _rows_loaded(job: dict[str, Any]) -> dict[str, int]:
    raw = job.get("raw", {})
    return {key.split("/")[1]: int(meta.get("rows_loaded", 0)) for key, meta in raw.items()
            if "rows_loaded" in meta}


def run_floor(home: Path, argv: list[str], log: Path) -> tuple[dict[str, Any], Sampled]:
    """`floor.py ARGV` in a child process, sampled: its JSON line, and the run."""
    run = run_sampled([PYTHON, str(ROOT / "benchmarks" / "floor.py"), *argv],
                      env=environment(home), cwd=ROOT, log=log)
    if run.returncode:
        raise SystemExit(f"floor.py {argv[0]} failed: see {log}")
    return json.loads(run.stdout.strip().splitlines()[-1]), run


def floor(home: Path, engine: str) -> dict[str, Any]:
    out, run = run_floor(home, [engine, str(home / "inbox")],
                         home.parent / f"floor-{engine}-{home.name}.log")
    return {"engine": engine, "seconds": out["seconds"], "process_seconds": round(run.seconds, 1),
            "peak_rss_gib": round(run.peak() / GIB, 2), "province_months": out["province_months"],
            "dossiers": out["dossiers"], "share": out["share"]}


# --- scenarios ---------------------------------------------------------------------------------

def ensure_sample(home: Path, dossiers: int, export_format: str) -> dict[str, Any] | None:
    if (home / "inbox" / "_ground_truth.json").exists():
        return None
    home.mkdir(parents=True, exist_ok=True)
    return generate(home, dossiers, export_format)


def snapshot(home: Path) -> Path:
    """The built warehouse, kept to start each increment from."""
    kept = home.parent / f"{home.name}-history.duckdb"
    if not kept.exists():
        shutil.copyfile(warehouse(home), kept)
    return kept


def scenario_full(args: argparse.Namespace) -> list[dict[str, Any]]:
    home = bench_dir(args.dossiers)
    generated = ensure_sample(home, args.dossiers, args.export_format)
    records = []
    for run in range(args.runs):
        reset(home)
        built = pipeline(home, "full build")
        again = pipeline(home, "nothing new")
        floors = [floor(home, "duckdb")] + ([] if args.no_pandas else [floor(home, "pandas")])
        ratios = {f"{f['engine']}_over_floor": None for f in floors}
        if built["figure_seconds"]:
            ratios = {f"chiso_over_{f['engine']}": round(built["figure_seconds"] / f["seconds"], 1)
                      for f in floors}
            ratios["whole_run_over_duckdb"] = round(built["seconds"] / floors[0]["seconds"], 1)
        records.append({"scenario": "full", "run": run + 1, "build": built, "rerun": again,
                        "floor": floors, "ratios": ratios,
                        **({"generate": generated} if generated and run == 0 else {})})
    snapshot(home)
    return records


def scenario_increment(args: argparse.Namespace, *, empty: bool) -> list[dict[str, Any]]:
    home = bench_dir(args.dossiers)
    if not (home / "inbox" / "_increment").exists():
        raise SystemExit(f"no sample in {home}: run `scale.py full --dossiers {args.dossiers}`")
    work = home.parent / f"{home.name}-{'empty' if empty else 'increment'}"
    records = []
    for run in range(args.runs):
        shutil.rmtree(work, ignore_errors=True)
        (work / "inbox").mkdir(parents=True)
        _base_inbox(home / "inbox", work / "inbox", with_history=not empty)
        if empty:
            pipeline(work, "base without dossiers")
        else:
            shutil.copyfile(snapshot(home), warehouse(work))
            pipeline(work, "base (nothing new)")  # the inbox as the history left it
        as_the_night_before(work)
        _deliver(home / "inbox" / "_increment", work / "inbox")
        measured = pipeline(work, "increment on empty history" if empty else "increment")
        records.append({"scenario": "increment-empty" if empty else "increment", "run": run + 1,
                        "build": measured})
    shutil.rmtree(work, ignore_errors=True)
    return records


def _base_inbox(source: Path, target: Path, *, with_history: bool) -> None:
    """The sample's inbox (hard links: no copy), without the dossier exports when asked."""
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if path.is_dir() or relative.parts[0] == "_increment":
            continue
        if not with_history and relative.parts[0] in ("dossiers", "events"):
            continue
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        os.link(path, target / relative)


def _deliver(increment: Path, inbox: Path) -> None:
    for path in increment.rglob("*"):
        relative = path.relative_to(increment)
        if path.is_file() and not relative.name.startswith("_"):
            (inbox / relative).parent.mkdir(parents=True, exist_ok=True)
            os.link(path, inbox / relative)


def scenario_monthly(args: argparse.Namespace) -> list[dict[str, Any]]:
    home = bench_dir(args.dossiers)
    work = home.parent / f"{home.name}-monthly"
    month = (dt.date.fromisoformat(END).replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    records = []
    for run in range(args.runs):
        shutil.rmtree(work, ignore_errors=True)
        (work / "inbox").mkdir(parents=True)
        _base_inbox(home / "inbox", work / "inbox", with_history=True)
        shutil.copyfile(snapshot(home), warehouse(work))
        pipeline(work, "base (nothing new)")
        as_the_night_before(work)
        measured = pipeline(work, "monthly publication", (month.isoformat(), month.isoformat()))
        records.append({"scenario": "monthly", "run": run + 1, "month": month.isoformat(),
                        "build": measured})
    shutil.rmtree(work, ignore_errors=True)
    return records


# the sample's dossier exports by kind and format: what `ingest` loads one at a time, each
# beside DuckDB's own copy of the same files (the format's floor on this machine)
FORMATS = (("events", ".parquet"), ("events", ".csv"), ("dossiers", ".parquet"),
           ("dossiers", ".csv"), ("dossiers", ".jsonl"))


def scenario_ingest(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The ingestion step alone on one kind and format of export at a time (hard links of the
    sample's files), into an empty warehouse: rows per second by format."""
    home = bench_dir(args.dossiers)
    ensure_sample(home, args.dossiers, args.export_format)
    work = home.parent / f"{home.name}-ingest"
    records = []
    for kind, suffix in FORMATS:
        files = sorted((home / "inbox" / kind).rglob(f"*{suffix}"))
        if not files:
            continue
        for run in range(args.runs):
            shutil.rmtree(work, ignore_errors=True)
            for path in files:
                target = work / "inbox" / path.relative_to(home / "inbox")
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(path, target)
            load_before = load_average()
            measured = run_sampled([PYTHON, str(ROOT / "benchmarks" / "ingest_only.py"),
                                    str(work / "inbox")], env=environment(work), cwd=ROOT,
                                   log=home.parent / f"ingest-{kind}{suffix}-{home.name}.log")
            if measured.returncode:
                raise SystemExit(f"ingestion failed: see {home.parent}")
            out = json.loads(measured.stdout.strip().splitlines()[-1])
            records.append({"scenario": "ingest", "run": run + 1,
                            "format": f"{kind} {suffix}", "files": len(files),
                            "bytes": sum(p.stat().st_size for p in files), **out,
                            "rows_per_s": round(out["rows_in"] / out["seconds"]),
                            "process_seconds": round(measured.seconds, 1),
                            "peak_rss_gib": round(measured.peak() / GIB, 2),
                            "load_before": load_before,
                            "floor": copy_floor(work, home, f"{kind}{suffix}")})
    shutil.rmtree(work, ignore_errors=True)
    return records


def copy_floor(work: Path, home: Path, name: str) -> dict[str, Any]:
    """The format's floor: DuckDB alone landing the same files as text in a new database file
    (`floor.py copy`), in the same session as chiso's load of them."""
    target = work / "floor.duckdb"
    target.unlink(missing_ok=True)
    out, measured = run_floor(work, ["copy", str(work / "inbox"), str(target)],
                              home.parent / f"ingest-floor-{name}-{home.name}.log")
    target.unlink(missing_ok=True)
    return {**out, "rows_per_s": round(out["rows"] / out["seconds"]),
            "peak_rss_gib": round(measured.peak() / GIB, 2)}


def scenario_generate(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The generator alone, into a home of its own (the sample stays), then the machine's floor
    for writing the same dossier exports (`floor.py write`: DuckDB writing them again, each in
    its format, with nothing to draw)."""
    home = bench_dir(args.dossiers)
    work = home.parent / f"{home.name}-generate"
    records = []
    for run in range(args.runs):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        load_before = load_average()
        generated = generate(work, args.dossiers, args.export_format)
        floor_out, _ = run_floor(work, ["write", str(work / "inbox"), str(work / "written")],
                                 home.parent / f"generate-floor-{home.name}.log")
        records.append({"scenario": "generate", "run": run + 1, "generate": generated,
                        "load_before": load_before,
                        "write_floor": {**floor_out, "rows_per_s": round(
                            floor_out["rows"] / floor_out["seconds"])}})
    shutil.rmtree(work, ignore_errors=True)
    return records


# --- results -----------------------------------------------------------------------------------

def save(records: Iterable[dict[str, Any]], args: argparse.Namespace) -> None:
    existing = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else []
    command = f".venv/bin/python benchmarks/scale.py {args.scenario} --dossiers {args.dossiers}" \
              + (f" --runs {args.runs}" if args.runs != 1 else "") \
              + (f" --export-format {args.export_format}" if args.export_format != "native"
                 else "") \
              + (" --no-pandas" if args.no_pandas else "") \
              + (f" --memory-limit {args.memory_limit}" if args.memory_limit else "")
    stamp = dt.datetime.now().isoformat(timespec="seconds")
    about = machine()
    for record in records:
        existing.append({"dossiers": args.dossiers, "command": command, "measured_at": stamp,
                         "machine": about, **record,
                         **({"memory_limit": args.memory_limit} if args.memory_limit else {})})
    RESULTS.write_text(json.dumps(existing, indent=1, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    report()


def _median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 1) if values else None


def _scenario(record: dict[str, Any]) -> str:
    """A scenario run under a memory limit of its own is a row of its own."""
    limit = record.get("memory_limit")
    return f"{record['scenario']} (memory limit {limit})" if limit else record["scenario"]


def report() -> None:
    """results.md: per scenario and size, the median of the latest command's runs (and how
    many); earlier runs stay in results.json as the history."""
    if not RESULTS.exists():
        return
    records = json.loads(RESULTS.read_text(encoding="utf-8"))
    every: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in records:
        if r["scenario"] not in ("ingest", "generate"):  # tables of their own
            every.setdefault((_scenario(r), r["dossiers"]), []).append(r)
    latest = {key: [r for r in runs if r["measured_at"] == runs[-1]["measured_at"]]
              for key, runs in every.items()}
    # a failed run measures nothing: left out of the medians (both tables), and counted
    failed = {key: sum(not r["build"]["success"] for r in runs) for key, runs in latest.items()}
    groups = {key: [r for r in runs if r["build"]["success"]] or runs
              for key, runs in latest.items()}
    # a size's sample: the generator measured alone (the native mix) when it was, else the
    # latest generation a scenario ran
    samples = {size: next((r["generate"] for r in reversed(records)
                           if r["dossiers"] == size and r["scenario"] == "generate"), None)
               or next((r["generate"] for r in reversed(records)
                        if r["dossiers"] == size and "generate" in r), None)
               for _, size in every}
    lines = ["| scenario | dossiers | runs | wall s (median) | peak GiB | load avg | "
             "stages (s, peak GiB) | measured (commit) | command |",
             "|---|---|---|---|---|---|---|---|---|"]
    for (scenario, dossiers), runs in sorted(groups.items()):
        builds = [r["build"] for r in runs]
        stages: dict[str, list[tuple[float, float]]] = {}
        for b in builds:
            for s in b["stages"]:
                if not s["stage"].startswith("  "):
                    stages.setdefault(s["stage"], []).append((s["seconds"], s["peak_rss_gib"]))
        staged = "; ".join(f"{name} {_median([x for x, _ in v])} s, "
                           f"{max(y for _, y in v)} GiB" for name, v in stages.items())
        loads = "/".join(str(b["load_before"][0]) for b in builds)
        fails = failed[(scenario, dossiers)]
        counted = f"{len(runs)}" + (f" (+{fails} failed)" if fails else "")
        lines.append(f"| {scenario} | {dossiers:,} | {counted} | "
                     f"{_median([b['seconds'] for b in builds])} | "
                     f"{max(b['peak_rss_gib'] for b in builds)} | {loads} | {staged} | "
                     f"{runs[-1]['measured_at'][:16]} ({runs[-1]['machine']['commit']}) | "
                     f"`{runs[-1]['command']}` |")
    extra = _extras(groups, samples) + _formats(
        [r for r in records if r["scenario"] == "ingest"]) + _generation(
        [r for r in records if r["scenario"] == "generate"])
    about = records[-1]["machine"]
    TABLE.write_text(
        "# Scale benchmarks (generated by `benchmarks/scale.py report` from results.json)\n\n"
        f"Machine: {about['cpu']}, {about['cores']} cores, {about['memory_gib']} GiB, "
        f"{about['os']}; Python {about['python']}, DuckDB {about['duckdb']}, dbt-core "
        f"{about['dbt-core']}, Dagster {about['dagster']}. Load average: the 1-minute figure "
        "before each run (other work shares the machine). Dagster instance: the local one `chiso "
        "run` uses (events stored in SQLite) for runs recording their `dagster_events`, an "
        "ephemeral one (events in memory) before commit 0a0d47c.\n\n" + "\n".join(lines)
        + "\n\n"
        + extra, encoding="utf-8")
    print(TABLE.read_text(encoding="utf-8"))


def _shown(value: float | None) -> str:
    return "not run" if value is None else str(value)


def _extras(groups: dict[tuple[str, int], list[dict[str, Any]]],
            samples: dict[int, dict[str, Any] | None]) -> str:
    lines = ["| dossiers | generate (rows/s, peak GiB) | ingest rows/s | nothing-new rerun s "
             "(warehouse GiB before → after) | floor DuckDB s | pandas s | chiso figure s | "
             "chiso / floor | chiso / pandas |", "|---|---|---|---|---|---|---|---|---|"]
    for (scenario, dossiers), runs in sorted(groups.items()):
        if not scenario.startswith("full"):
            continue
        # the sample this row was built from when it generated one, else the size's sample
        gen = next((r["generate"] for r in runs if "generate" in r), None) \
            or samples.get(dossiers)
        ingest = []
        for r in runs:
            seconds = next((s["seconds"] for s in r["build"]["stages"] if s["stage"] == "ingest"),
                           None)
            rows = sum(r["build"]["rows_loaded"].values())
            if seconds:
                ingest.append(rows / seconds)
        floors = {f["engine"]: [] for r in runs for f in r["floor"]}
        for r in runs:
            for f in r["floor"]:
                floors[f["engine"]].append(f["seconds"])
        rerun = runs[-1]["rerun"]
        lines.append(
            f"| {dossiers:,}{scenario[len('full'):]} | "
            + (f"{gen['rows_per_s']:,} rows/s, {gen['peak_rss_gib']} GiB" if gen else "") + " | "
            f"{round(_median(ingest) or 0):,} | {_median([r['rerun']['seconds'] for r in runs])}"
            f" ({rerun['warehouse_gib_before']} → {rerun['warehouse_gib_after']}) | "
            f"{_shown(_median(floors.get('duckdb', [])))} | "
            f"{_shown(_median(floors.get('pandas', [])))} | "
            f"{_shown(_median([r['build']['figure_seconds'] for r in runs]))} | "
            f"{_shown(_median([r['ratios'].get('chiso_over_duckdb') for r in runs]))} | "
            f"{_shown(_median([r['ratios'].get('chiso_over_pandas') for r in runs]))} |")
    return "\n".join(lines) + "\n"


def _formats(runs: list[dict[str, Any]]) -> str:
    """The ingestion step alone, by export format: the latest command's runs."""
    if not runs:
        return ""
    latest = [r for r in runs if r["measured_at"] == runs[-1]["measured_at"]]
    by_format: dict[str, list[dict[str, Any]]] = {}
    for r in latest:
        by_format.setdefault(r["format"], []).append(r)
    lines = ["", f"Ingestion alone by export format ({latest[-1]['dossiers']:,} dossiers' "
             f"sample, {len(by_format)} formats, measured {latest[-1]['measured_at'][:16]} "
             f"({latest[-1]['machine']['commit']}), `{latest[-1]['command']}`):", "",
             "| kind and format | files | MiB | rows | runs | seconds (median) | rows/s | "
             "peak GiB | DuckDB copy s (rows/s) | chiso / copy |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, rs in by_format.items():
        seconds = _median([r["seconds"] for r in rs])
        floor = _median([r["floor"]["seconds"] for r in rs if "floor" in r])
        copy = (f"{floor} ({round(rs[0]['floor']['rows'] / floor):,})",
                f"{round(seconds / floor, 1)}") if floor else ("not run", "")
        lines.append(f"| {name} | {rs[0]['files']} | {rs[0]['bytes'] / 2**20:,.0f} | "
                     f"{rs[0]['rows_in']:,} | {len(rs)} | {seconds} | "
                     f"{round(rs[0]['rows_in'] / seconds):,} | "
                     f"{max(r['peak_rss_gib'] for r in rs)} | {copy[0]} | {copy[1]} |")
    return "\n".join(lines) + "\n"


def _generation(runs: list[dict[str, Any]]) -> str:
    """The generator alone beside the write floor: the latest command per sample size."""
    if not runs:
        return ""
    by_size: dict[int, list[dict[str, Any]]] = {}
    for r in runs:
        by_size.setdefault(r["dossiers"], []).append(r)
    lines = ["", "The generator alone (`generate`), beside DuckDB writing the same dossier "
             "exports again with nothing to draw (`floor.py write`):", "",
             "| dossiers | runs | rows | seconds (median) | rows/s | peak GiB | write floor s "
             "(rows/s) | generator / floor | measured (commit) | command |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for size, every in sorted(by_size.items()):
        rs = [r for r in every if r["measured_at"] == every[-1]["measured_at"]]
        seconds = _median([r["generate"]["seconds"] for r in rs])
        floor = _median([r["write_floor"]["seconds"] for r in rs])
        rows, floor_rows = rs[0]["generate"]["rows"], rs[0]["write_floor"]["rows"]
        lines.append(f"| {size:,} | {len(rs)} | {rows:,} | {seconds} | "
                     f"{round(rows / seconds):,} | "
                     f"{max(r['generate']['peak_rss_gib'] for r in rs)} | {floor} "
                     f"({round(floor_rows / floor):,}) | "
                     f"{round((seconds / rows) / (floor / floor_rows), 1)} | "
                     f"{rs[-1]['measured_at'][:16]} ({rs[-1]['machine']['commit']}) | "
                     f"`{rs[-1]['command']}` |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__)
    parser.add_argument("scenario", choices=["full", "increment", "increment-empty", "monthly",
                                             "ingest", "generate", "report", "clean"])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1, help="medians need at least 3")
    parser.add_argument("--export-format", choices=["native", "parquet"], default="native",
                        help="parquet: every vendor's exports as Parquet (a tenth of the disk)")
    parser.add_argument("--no-pandas", action="store_true",
                        help="skip the pandas comparison (it holds every record in memory)")
    parser.add_argument("--memory-limit",
                        help="DuckDB's memory limit for every run (CHISO_DUCKDB_MEMORY_LIMIT, "
                             "e.g. 1GB): a small limit on a smaller sample stands for 10^8 "
                             "dossiers under the default one (out of core, spilling)")
    args = parser.parse_args()
    if args.memory_limit:  # environment() passes it to every child
        os.environ["CHISO_DUCKDB_MEMORY_LIMIT"] = args.memory_limit
    if args.scenario == "report":
        report()
        return
    if args.scenario == "clean":
        base = bench_dir(args.dossiers)
        for path in base.parent.glob(f"{base.name}*"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        return
    # the job fingerprints the models by the manifest `make setup` builds: a stale one would
    # skip the rebuild a change of model code calls for, and measure the old plan
    subprocess.run(["make", "--quiet", "setup"], cwd=ROOT, check=True)
    started = time.time()
    if args.scenario == "full":
        records = scenario_full(args)
    elif args.scenario == "monthly":
        records = scenario_monthly(args)
    elif args.scenario == "ingest":
        records = scenario_ingest(args)
    elif args.scenario == "generate":
        records = scenario_generate(args)
    else:
        records = scenario_increment(args, empty=args.scenario == "increment-empty")
    save(records, args)
    print(f"{args.scenario} at {args.dossiers:,} dossiers: {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()

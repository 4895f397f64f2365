"""What the scale benchmarks measure with: a child process's tree sampled for memory, the
machine described, dbt's run results read back per node.

Memory is the resident set of the whole process tree (the Dagster run and the dbt processes it
starts), sampled every 0.2 s from /proc: what the machine holds at that moment."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                found += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * PAGE
    except OSError:
        return 0


def tree_rss(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += _rss(current)
        stack += _children(current)
    return total


@dataclass
class Sampled:
    """A finished child: its exit code, output, wall time and memory over time."""

    returncode: int
    stdout: str
    started: float
    ended: float
    samples: list[tuple[float, int]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    def peak(self, start: float | None = None, end: float | None = None) -> int:
        """Peak resident bytes of the tree, within [start, end] when given."""
        chosen = [rss for t, rss in self.samples
                  if (start is None or t >= start - 0.2) and (end is None or t <= end + 0.2)]
        return max(chosen, default=0)


def run_sampled(argv: Sequence[str], *, env: dict[str, str], cwd: Path,
                interval: float = 0.2, log: Path | None = None) -> Sampled:
    """Run a command, sampling its process tree's memory until it exits."""
    started = time.time()
    stderr = log.open("w") if log else subprocess.DEVNULL
    child = subprocess.Popen(list(argv), cwd=cwd, env=env, stdout=subprocess.PIPE,
                             stderr=stderr, text=True)
    samples: list[tuple[float, int]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append((time.time(), tree_rss(child.pid)))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = child.communicate()
    done.set()
    sampler.join()
    if log:
        stderr.close()
    return Sampled(child.returncode, stdout, started, time.time(), samples)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict[str, object]:
    """The machine and the software the figures were measured with."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    versions = {}
    for module in ("duckdb", "pyarrow", "dagster", "pandas"):
        try:
            versions[module] = __import__(module).__version__
        except ImportError:
            versions[module] = None
    try:
        from dbt.version import __version__ as dbt_version
        versions["dbt-core"] = dbt_version
    except ImportError:
        versions["dbt-core"] = None
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=Path(__file__).parent).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(memory / 2**30, 1),
            "os": platform.platform(), "python": sys.version.split()[0], **versions,
            "commit": commit}


@dataclass(frozen=True)
class Node:
    unique_id: str
    group: str  # staging, intermediate/dossiers, marts/service_index, tests ...
    start: float
    end: float
    status: str


def _epoch(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def dbt_nodes(target: Path, manifest: Path, since: float) -> list[Node]:
    """The nodes of the run results in `target`, if written after `since`, with their group:
    a model by its folder (layer and domain), tests and unit tests apart."""
    results = target / "run_results.json"
    if not results.exists() or results.stat().st_mtime < since:
        return []
    document = json.loads(results.read_text(encoding="utf-8"))
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    found = []
    for result in document["results"]:
        uid = result["unique_id"]
        timing = {t["name"]: t for t in result.get("timing", [])}
        execute = timing.get("execute") or timing.get("compile")
        if not execute or not execute.get("started_at"):
            continue
        kind = uid.split(".")[0]
        if kind in ("test", "unit_test"):
            group = "tests" if kind == "test" else "unit tests"
        elif kind == "seed":
            group = "seeds"
        else:
            fqn = nodes.get(uid, {}).get("fqn", [])
            group = "/".join(fqn[1:3]) if len(fqn) > 3 else (fqn[1] if len(fqn) > 1 else kind)
        start = _epoch(timing.get("compile", execute)["started_at"])
        found.append(Node(uid, group, start, _epoch(execute["completed_at"]), result["status"]))
    return found


def ancestors(manifest: Path, unique_id: str) -> set[str]:
    """Every node a node is built from (models, seeds, sources), itself included."""
    parents = json.loads(manifest.read_text(encoding="utf-8"))["parent_map"]
    seen, stack = set(), [unique_id]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack += parents.get(node, [])
    return seen

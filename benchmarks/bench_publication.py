"""Measure a publication: copy of the `published` schema into a new file, its check, the exports
and dashboard, and the swap, on a synthetic warehouse of a chosen size.

    .venv/bin/python benchmarks/bench_publication.py --agencies 5000 --runs 3

The published tables are the test suite's (tests/publication/warehouse.py): the 766 ranking of
63 + 34 provinces and the dossier indicators of provinces, the nation and `--agencies` agencies,
for 12 months.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publication.build import publish  # noqa: E402
from tests.publication.warehouse import build_published_schema, write_manifest  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        manifest = write_manifest(root / "manifest.json")
        con = duckdb.connect(str(root / "warehouse.duckdb"))
        timings: list[dict[str, float]] = []
        for run in range(args.runs):
            build_published_schema(con, f"run-{run:04d}", months=12, agency_rows=args.agencies)
            started = time.perf_counter()
            result = publish(con, f"run-{run:04d}", published=root / "published.duckdb",
                             publications=root / "publications", manifest=manifest, keep=2)
            timings.append({**result.seconds, "total": time.perf_counter() - started})
        size = (root / "published.duckdb").stat().st_size
        print(json.dumps({
            "rows": result.tables, "file_mb": round(size / 2**20, 1), "runs": args.runs,
            "median_seconds": {k: round(statistics.median(t[k] for t in timings), 4)
                               for k in timings[0]},
        }, indent=2))


if __name__ == "__main__":
    main()

"""The ingestion step alone (`ingestion.loader.load_inbox`, what the job's `raw_exports` asset
runs) on one inbox into a fresh warehouse at CHISO_HOME: the child process `scale.py ingest`
measures per export format. Prints a JSON line: inputs, rows read, rows loaded, seconds.

    .venv/bin/python benchmarks/ingest_only.py INBOX
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    inbox = Path(sys.argv[1])
    from foundation import settings
    from foundation.duckdb_limits import connect
    from ingestion.loader import load_inbox
    from ingestion.pseudonymise import pii_key_from_env

    target = settings.warehouse_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    con = connect(target)
    started = time.perf_counter()
    try:
        results = load_inbox(con, inbox, pii_key=pii_key_from_env())
    finally:
        con.close()
    seconds = time.perf_counter() - started
    print(json.dumps({"inputs": len(results), "seconds": round(seconds, 2),
                      "rows_in": sum(r.rows_in for r in results),
                      "rows_loaded": sum(r.rows_loaded for r in results),
                      "statuses": sorted({r.status for r in results})}))


if __name__ == "__main__":
    main()

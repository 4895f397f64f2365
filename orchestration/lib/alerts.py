"""Alerts for operators: a line in CHISO_HOME/alerts.jsonl always, a webhook when configured."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import urllib.request
from pathlib import Path

from foundation import settings

log = logging.getLogger(__name__)
VN = dt.timezone(dt.timedelta(hours=7))


def alerts_file() -> Path:
    return settings.chiso_home() / "alerts.jsonl"


def raise_alert(*, run_id: str, job: str, failed_steps: list[str], message: str) -> dict:
    alert = {"at": dt.datetime.now(VN).isoformat(timespec="seconds"), "run_id": run_id,
             "job": job, "failed_steps": failed_steps, "message": message[:2000],
             "publication": "unchanged (a failed run never swaps published.duckdb)"}
    path = alerts_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(alert, ensure_ascii=False) + "\n")
    webhook = os.environ.get("CHISO_ALERT_WEBHOOK")
    if webhook:
        request = urllib.request.Request(webhook, data=json.dumps(alert).encode(),
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10):
                pass
        except OSError as error:  # an unreachable webhook must not hide the alert file
            log.warning("alert webhook %s failed: %s", webhook, error)
    return alert

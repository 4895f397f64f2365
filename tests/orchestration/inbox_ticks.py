"""Ticks of the inbox sensor, for the tests that need one (and for another process: the run key
must be the same there)."""

from __future__ import annotations

from unittest import mock

import dagster as dg

from orchestration.defs.pipeline import sensors


def tick(cursor: str | None, at: float | None = None
         ) -> tuple[dg.SensorResult | dg.SkipReason, str | None]:
    """One evaluation from a cursor, at `at` seconds on the sensor's clock (now when None);
    returns the result and the cursor the next tick starts from."""
    clock = sensors.now if at is None else (lambda: at)
    with mock.patch.object(sensors, "now", clock):
        context = dg.build_sensor_context(cursor=cursor)
        result = sensors.inbox_sensor(context)
    return result, (result.cursor if isinstance(result, dg.SensorResult) else context.cursor)


def sensed_run() -> dg.RunRequest:
    """The run requested once the batch is closed, with CHISO_INBOX_QUIET_SECONDS=0: the first
    tick sees the files, the second finds the inbox quiet."""
    first, cursor = tick(None, 0.0)
    assert isinstance(first, dg.SkipReason), first
    result, _ = tick(cursor, 0.0)
    assert isinstance(result, dg.SensorResult), result
    (request,) = result.run_requests
    return request

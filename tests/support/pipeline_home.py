"""The environment `chiso run` gives the real job in a home, for the tests that run it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from chiso.runtime import DAGSTER_ENVIRONMENT


@contextlib.contextmanager
def pipeline_environment(home: Path, pii_key: str) -> Iterator[None]:
    """CHISO_HOME and DAGSTER_HOME in `home`, the test's pseudonymisation key, no warehouse
    or inbox named apart from the home, and Dagster's settings the CLI applies; all undone
    after."""
    env = {"CHISO_HOME": str(home), "CHISO_PII_KEY": pii_key,
           "DAGSTER_HOME": str(home / "dagster"), **DAGSTER_ENVIRONMENT}
    with pytest.MonkeyPatch.context() as mp:
        for name in ("CHISO_WAREHOUSE", "CHISO_INBOX"):
            mp.delenv(name, raising=False)
        for name, value in env.items():
            mp.setenv(name, value)
        yield

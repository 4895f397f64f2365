from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from sample_generator.config import SampleConfig
from sample_generator.generate import GROUND_TRUTH, generate

# Small but complete: crosses Tết 2025 and the 2025-07-01 merger
SMALL_SAMPLE = SampleConfig(
    seed=11,
    dossiers=20_000,
    start=dt.date(2025, 1, 1),
    end=dt.date(2025, 9, 30),
    survey_respondents_per_province=24,
    officials_per_province=8,
    procedures=120,
)


@pytest.fixture(scope="session")
def small_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    inbox = tmp_path_factory.mktemp("inbox")
    generate(SMALL_SAMPLE, inbox)
    return inbox


@pytest.fixture(scope="session")
def ground_truth(small_inbox: Path) -> dict[str, Any]:
    return json.loads((small_inbox / GROUND_TRUTH).read_text(encoding="utf-8"))

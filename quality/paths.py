"""Where the quality gate reads decisions and writes its outputs: cheap to import (the gate's
skip test needs them before Great Expectations is imported)."""

from __future__ import annotations

import os
from pathlib import Path

from foundation.settings import chiso_home


def quality_dir() -> Path:
    return Path(os.environ.get("CHISO_QUALITY_DIR", chiso_home() / "quality")).resolve()


def decisions_dir() -> Path:
    return Path(os.environ.get("CHISO_DECISIONS", chiso_home() / "decisions")).resolve()

"""Options for the sample generator; every amount of injected defects is an option."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DefectRates:
    """Shares of rows (or counts of units) that get each injected defect."""

    malformed_share: float = 0.002  # of dossier rows per malformed kind
    duplicate_share: float = 0.001
    due_date_inconsistent_share: float = 0.002
    survey_out_of_scale_share: float = 0.002
    par_above_max_count: int = 3
    noisy_survey_provinces: int = 3
    gaming_agencies: int = 2  # per gaming pattern
    sync_gap_days: int = 6
    truncate_one_file: bool = True
    self_report_mismatch_provinces: int = 1


# PAPI's real size per province: about 19,000 respondents a year over 63 provinces
PAPI_FULL_SIZE = 304


@dataclass(frozen=True)
class SampleConfig:
    seed: int = 20251
    dossiers: int = 300_000
    start: dt.date = dt.date(2024, 1, 1)
    end: dt.date = dt.date(2025, 12, 31)
    survey_respondents_per_province: int = 120
    officials_per_province: int = 60
    # PAPI: ~16 interviews per village, two villages a commune, two communes a district; the
    # real survey's size by default (the quality gate's checks must hold at the size they judge)
    papi_respondents_per_province: int = PAPI_FULL_SIZE
    procedures: int = 300
    defects: DefectRates = field(default_factory=DefectRates)
    # dossiers submitted on the day after `end`: that day's rows (theirs, and the updates of
    # the sample's open dossiers) go to `_increment/` as the next night's delivery
    increment_dossiers: int = 0
    # "native": each vendor's dialect (CSV, JSON Lines, Parquet); "parquet": every dossier
    # export as Parquet, its timestamps still spelled the vendor's way (a tenth of the disk)
    export_format: str = "native"
    # at most this many dossiers drawn at once (a window ends early when a month holds more):
    # the generator's memory follows it, not the sample's size
    batch_dossiers: int = 200_000

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        if self.dossiers < 1:
            raise ValueError("dossiers must be positive")
        if self.export_format not in ("native", "parquet"):
            raise ValueError("export_format is 'native' or 'parquet'")
        if self.batch_dossiers < 1:
            raise ValueError("batch_dossiers must be positive")
        if self.increment_dossiers < 0:
            raise ValueError("increment_dossiers must not be negative")
        if self.papi_respondents_per_province < 1:
            raise ValueError("papi_respondents_per_province must be positive")

"""`chiso generate`: every input family of SPEC section 2, with a ground truth of defects."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sample_generator import (
    announcements,
    catalogue,
    exports,
    papi,
    par_index,
    pci,
    petitions,
    portal_export,
    self_reported,
    surveys,
)
from sample_generator.config import SampleConfig
from sample_generator.context import SampleContext
from sample_generator.dossiers import DAY, NAT, Dossiers, generate_dossiers
from sample_generator.truth import GroundTruth

GROUND_TRUTH = "_ground_truth.json"


@dataclass(frozen=True)
class GenerationSummary:
    inbox: Path
    truth: GroundTruth
    dossiers: int
    seconds: float

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.truth.files)


def _remove_previous_sample(inbox: Path) -> None:
    """Files a previous run generated (and only those) go, so a smaller sample leaves no
    stale months behind; anything else in the inbox is left alone."""
    manifest = inbox / GROUND_TRUTH
    if not manifest.exists():
        return
    for entry in json.loads(manifest.read_text(encoding="utf-8"))["files"]:
        (inbox / entry["path"]).unlink(missing_ok=True)
    manifest.unlink()


def _record_dossier_anomalies(ctx: SampleContext, d: Dossiers, planted: dict) -> None:
    for pattern in ("close_at_due", "supplement_on_last_day"):
        for agency in planted[pattern]:
            of_agency = d.agency == agency
            mine = of_agency & (d.outcome == 0) & (d.ended != NAT)
            if pattern == "close_at_due":
                share = float(np.mean(d.ended[mine] == d.due[mine]))
            else:
                req = d.supplement_requested[mine, 0]
                share = float(np.mean((req != NAT) & (req // DAY == d.due[mine] // DAY)))
            ctx.truth.add_defect(
                f"gaming_{pattern}", "anomaly", None, [], agency_code=agency,
                province_code=str(d.province_code[of_agency][0]),
                code_system=str(d.code_system[of_agency][0]),
                share=round(share, 4), dossiers=int(mine.sum()))
    ctx.truth.add_defect("sync_gap", "anomaly", None, [], **planted["sync_gap"])


def generate(config: SampleConfig, inbox: Path) -> GenerationSummary:
    started = time.perf_counter()
    inbox.mkdir(parents=True, exist_ok=True)
    _remove_previous_sample(inbox)
    ctx = SampleContext(config=config, inbox=inbox, truth=GroundTruth(seed=config.seed))
    cat = catalogue.build_catalogue(ctx)
    catalogue.write_catalogue(ctx, cat)
    agencies = catalogue.build_agencies(ctx)
    dossiers, planted = generate_dossiers(ctx, cat, agencies)
    exports.write_dossier_exports(ctx, dossiers, cat)
    _record_dossier_anomalies(ctx, dossiers, planted)
    self_reported.write_self_reported(ctx, dossiers, planted["mismatch_provinces"])
    # the PAR INDEX plan comes first: the officials' survey is drawn to fit it, and the score
    # sheets take their survey points from the surveys as the warehouse computes them
    par_totals = par_index.plan_totals(ctx)
    par_index.generate(ctx, par_totals, surveys.generate(ctx, par_totals))
    papi.generate(ctx)  # PAPI microdata with its codebooks (SPEC 2.4b)
    pci.generate(ctx)  # VCCI's PCI tables as published
    # petitions and the portal's own evaluation export, after the calibrated survey rounds
    handling = np.unique(dossiers.agency[dossiers.received != NAT])
    answered = petitions.generate_petitions(ctx, agencies, handling)
    announced = announcements.generate_announcements(ctx, cat, agencies, handling)
    portal_export.write_portal_export(ctx, dossiers, cat, agencies, answered, announced)
    ctx.truth.write(inbox / GROUND_TRUTH)
    return GenerationSummary(inbox, ctx.truth, len(dossiers), time.perf_counter() - started)

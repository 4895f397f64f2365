"""`chiso generate`: every input family of SPEC section 2, with a ground truth of defects.

The dossier families are written as a stream (`exports.DossierStream`); what other families
need from the dossiers (self-reported rates, the portal's counts, the agencies that handle
dossiers, the planted anomalies' shares) is tallied window by window as they go by.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sample_generator import (
    announcements,
    catalogue,
    papi,
    par_index,
    pci,
    petitions,
    portal_export,
    self_reported,
    surveys,
)
from sample_generator.catalogue import Agencies
from sample_generator.config import SampleConfig
from sample_generator.context import SampleContext
from sample_generator.dossiers import (
    DAY,
    NAT,
    PROVINCE_CODES,
    DossierPlan,
    Dossiers,
    gap_truth,
    plan_dossiers,
)
from sample_generator.exports import INCREMENT, DossierStream, StreamResult
from sample_generator.truth import GroundTruth

GROUND_TRUTH = "_ground_truth.json"


@dataclass(frozen=True)
class GenerationSummary:
    inbox: Path
    truth: GroundTruth
    dossiers: int
    seconds: float
    stream: StreamResult = field(default_factory=StreamResult)

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.truth.files)


def _remove_previous_sample(inbox: Path) -> None:
    """Files a previous run generated (and only those) go, so a smaller sample leaves no
    stale months behind; anything else in the inbox is left alone."""
    shutil.rmtree(inbox / INCREMENT, ignore_errors=True)
    manifest = inbox / GROUND_TRUTH
    if not manifest.exists():
        return
    for entry in json.loads(manifest.read_text(encoding="utf-8"))["files"]:
        (inbox / entry["path"]).unlink(missing_ok=True)
    manifest.unlink()


@dataclass
class GamingTally:
    """Per planted gaming agency: its processed dossiers, and those that show the pattern."""

    plan: DossierPlan
    counts: dict[tuple[str, int], list[int]] = field(default_factory=dict)

    def add(self, d: Dossiers) -> None:
        for pattern, chosen in (("close_at_due", self.plan.close_at_due),
                                ("supplement_on_last_day", self.plan.supplement_on_last_day)):
            for agency in chosen:
                mine = (d.agency_index == agency) & (d.outcome == 0) & (d.ended != NAT)
                if pattern == "close_at_due":
                    hits = d.ended[mine] == d.due[mine]
                else:
                    req = d.supplement_requested[mine, 0]
                    hits = (req != NAT) & (req // DAY == d.due[mine] // DAY)
                total = self.counts.setdefault((pattern, int(agency)), [0, 0])
                total[0] += int(mine.sum())
                total[1] += int(hits.sum())

    def record(self, ctx: SampleContext, agencies: Agencies) -> None:
        for (pattern, agency), (dossiers, hits) in self.counts.items():
            ctx.truth.add_defect(
                f"gaming_{pattern}", "anomaly", None, [], agency_code=str(agencies.code[agency]),
                province_code=str(agencies.province_code[agency]),
                code_system=str(agencies.code_system[agency]),
                share=round(hits / dossiers, 4) if dossiers else float("nan"),
                dossiers=dossiers)


def generate(config: SampleConfig, inbox: Path) -> GenerationSummary:
    started = time.perf_counter()
    inbox.mkdir(parents=True, exist_ok=True)
    _remove_previous_sample(inbox)
    ctx = SampleContext(config=config, inbox=inbox, truth=GroundTruth(seed=config.seed))
    cat = catalogue.build_catalogue(ctx)
    catalogue.write_catalogue(ctx, cat)
    agencies = catalogue.build_agencies(ctx)
    plan = plan_dossiers(ctx, cat, agencies)
    gaming = GamingTally(plan)
    reported = self_reported.SelfReportedTally(ctx)
    portal = portal_export.PortalTally(ctx, cat, agencies)
    handling = np.zeros(len(agencies.code), bool)

    def tally(d: Dossiers) -> None:
        gaming.add(d)
        reported.add(d)
        portal.add(d)
        handling[d.agency_index[d.received != NAT]] = True

    stream = DossierStream(ctx, cat, plan).run(tally)
    gaming.record(ctx, agencies)
    ctx.truth.add_defect("sync_gap", "anomaly", None, [],
                         **gap_truth(ctx, plan, stream.gap_missing))
    self_reported.write_self_reported(ctx, reported,
                                      [str(c) for c in PROVINCE_CODES[plan.mismatch_provinces]])
    # the PAR INDEX plan comes first: the officials' survey is drawn to fit it, and the score
    # sheets take their survey points from the surveys as the warehouse computes them
    par_totals = par_index.plan_totals(ctx)
    par_index.generate(ctx, par_totals, surveys.generate(ctx, par_totals))
    papi.generate(ctx)  # PAPI microdata with its codebooks (SPEC 2.4b)
    pci.generate(ctx)  # VCCI's PCI tables as published
    # petitions and the portal's own evaluation export, after the calibrated survey rounds
    handling_codes = np.unique(agencies.code[handling])
    answered = petitions.generate_petitions(ctx, agencies, handling_codes)
    announced = announcements.generate_announcements(ctx, cat, agencies, handling_codes)
    portal_export.write_portal_export(ctx, portal, agencies, answered, announced)
    ctx.truth.write(inbox / GROUND_TRUTH)
    return GenerationSummary(inbox, ctx.truth, stream.dossiers, time.perf_counter() - started,
                             stream)

"""The saturation step: when new codes stop appearing, overall and per site.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qualcode.coding import reference_codings
from qualcode.io.files import write_csv
from qualcode.paths import FIGURES
from qualcode.report.figures import new_codes_bars, saturation_curves, save_figure
from qualcode.saturation import Saturation, events, saturation
from qualcode.steps.collect import CodingStage, coding_stage
from qualcode.steps.imports import ImportResult
from qualcode.steps.transcripts import prepare
from qualcode.study import Study


@dataclass(frozen=True, slots=True)
class SaturationOptions:
    """How ``qualcode saturation`` counts (see :func:`qualcode.saturation.saturation`)."""

    level: str = "participant"
    base: int = 4
    run: int = 2
    threshold: float = 0.05
    runs: str = "rolling"
    orders: int = 1000
    seed: int = 0


def compute_saturation(stage: CodingStage, imported: ImportResult, study: Study,
                       options: SaturationOptions) -> Saturation:
    """Saturation of the reference coding, overall and per site; writes nothing."""
    codings, _ = reference_codings(stage.codings.codings)
    table = events(codings, imported.segments, study, level=options.level)
    return saturation(table, base=options.base, run=options.run, threshold=options.threshold,
                      runs=options.runs, orders=options.orders, seed=options.seed)


def write_saturation(result: Saturation, stage: CodingStage, study: Study,
                     options: SaturationOptions, *, into: Path | None = None) -> list[Path]:
    """Saturation tables and figures, in ``into`` (default: ``analyses/``)."""
    analyses = into or study.paths.analyses
    _, which = reference_codings(stage.codings.codings)
    names = {site.id: site.name for site in study.sites}
    written = [write_csv(analyses / "saturation.csv",
                         result.events.assign(level=options.level, coding=which)),
               write_csv(analyses / "saturation-summary.csv",
                         result.summary.assign(level=options.level, coding=which)),
               write_csv(analyses / "saturation-orders.csv", result.band)]
    written += save_figure(analyses / FIGURES / "saturation", saturation_curves,
                           result.events, result.band, result.summary,
                           language=study.language, names=names)
    written += save_figure(analyses / FIGURES / "saturation-new", new_codes_bars,
                           result.events, language=study.language, names=names)
    return written


def saturation_stage(study: Study, options: SaturationOptions) -> tuple[Saturation, list[Path]]:
    """``qualcode saturation``."""
    codebook, imported = prepare(study)
    stage = coding_stage(study, imported, codebook)
    result = compute_saturation(stage, imported, study, options)
    return result, write_saturation(result, stage, study, options)


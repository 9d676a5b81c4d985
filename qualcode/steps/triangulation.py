"""The triangulation step: framework matrices along every dimension, co-occurrence, and
convergence across sites with the researchers' confirmations.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from qualcode import schema as S
from qualcode.codebook import Codebook
from qualcode.coding import human_codings, reference_codings
from qualcode.decisions import CONVERGENCE, Typed
from qualcode.errors import QualcodeError
from qualcode.io.confirmations import (
    read_confirmed,
    read_convergence,
    write_confirmed,
    write_convergence,
)
from qualcode.io.files import write_csv
from qualcode.paths import FIGURES
from qualcode.report.figures import cooccurrence_heatmap, matrix_heatmap, save_figure
from qualcode.report.tables import matrix_sheet, write_workbook
from qualcode.report.wording import study_wording
from qualcode.steps.coding import check_coder, record, record_one, refresh_workbook
from qualcode.steps.collect import CodingStage, coding_stage, read_typed
from qualcode.steps.imports import ImportResult
from qualcode.steps.transcripts import prepare
from qualcode.study import Study
from qualcode.triangulation import (
    CLASSES,
    CONVERGENCE_COLUMNS,
    coder_matrix,
    confirmed_convergence,
    convergence,
    cooccurrence,
    dimensions,
    framework_matrix,
    share_table,
)


@dataclass(frozen=True, slots=True)
class Triangulation:
    """What triangulation computed, before anything is written: the framework matrices of
    the reference coding by dimension (``which`` coding it is), the code x site shares,
    co-occurrence, and convergence across sites with the confirmed classes (``merged``) and
    its per-code ``summary``; ``confirmed`` are the confirmations typed, to be recorded."""

    matrices: dict[str, pd.DataFrame]
    which: str
    shares: pd.DataFrame
    pairs: pd.DataFrame
    merged: pd.DataFrame
    summary: pd.DataFrame
    confirmed: Typed

    @property
    def site(self) -> pd.DataFrame:
        """The code x site framework matrix."""
        return self.matrices["site"]


def compute_triangulation(stage: CodingStage, imported: ImportResult, study: Study,
                          codebook: Codebook, confirmed: Typed) -> Triangulation:
    """The framework matrices of the reference coding (consensus, or the coders' union) along
    every dimension, co-occurrence and convergence across sites with the ``confirmed``
    classes (see :func:`confirmations`); writes nothing."""
    codings, which = reference_codings(stage.codings.codings)
    matrices = {dimension: framework_matrix(codings, imported.segments, study, codebook,
                                            dimension=dimension).assign(coding=which)
                for dimension in dimensions(study)}
    pairs = cooccurrence(codings, imported.segments, [c.id for c in codebook.codable])
    merged, summary = confirmed_convergence(matrices["site"], codebook, confirmed.merged)
    return Triangulation(matrices, which, share_table(matrices["site"]), pairs, merged,
                         summary, confirmed)


def write_triangulation(result: Triangulation, study: Study, codebook: Codebook, *,
                        list_convergence: bool = False, into: Path | None = None
                        ) -> list[Path]:
    """The matrices (a CSV each, ``matrix.xlsx``, the code x site heatmap), co-occurrence and
    convergence, in ``into`` (default: ``analyses/``); the confirmed classes recorded in
    ``codings/convergence.csv``, and the rows not listed yet added to
    ``codings/decisions/convergence.xlsx`` when it exists or with ``list_convergence``."""
    analyses = into or study.paths.analyses
    matrices, which, confirmed = result.matrices, result.which, result.confirmed
    written = [write_csv(analyses / f"matrix-{name}.csv", matrix)
               for name, matrix in matrices.items()]
    written.append(write_workbook(analyses / "matrix.xlsx",
                                  {name: matrix_sheet(m) for name, m in matrices.items()},
                                  words=study_wording(study)))
    codes = result.site[result.site["row"] == "code"]
    names = {s.id: s.name for s in study.sites}
    domains = {code.id: codebook.text(code.label, study.language) for code in codebook.domains}
    labels = codes.drop_duplicates(S.CODE_ID)
    written += save_figure(analyses / FIGURES / "matrix-site", matrix_heatmap, result.shares,
                           labels=labels["label"].tolist(), domains=labels["domain"].tolist(),
                           columns=[names[v] for v in result.shares.columns],
                           language=study.language, domain_labels=domains)
    written.append(write_csv(analyses / "cooccurrence.csv", result.pairs.assign(coding=which)))
    labels = {c.id: codebook.text(c.label, study.language) for c in codebook.codable}
    drawn = result.pairs[["code_a", "code_b", "jaccard_participants"]]  # what it draws
    written += save_figure(analyses / FIGURES / "cooccurrence", cooccurrence_heatmap,
                           drawn, labels, language=study.language)
    written += [write_csv(analyses / "convergence.csv", result.merged),
                write_csv(analyses / "convergence-summary.csv", result.summary)]
    written += record(study, confirmed, confirmed.merged, write_confirmed)
    if list_convergence or confirmed.listed is not None:
        written += refresh_workbook(
            study, confirmed, result.merged[list(CONVERGENCE_COLUMNS)].round(3),
            lambda path, rows: write_convergence(path, rows, CLASSES))
    return written


def confirmations(study: Study) -> Typed:
    """The convergence classes confirmed: ``codings/convergence.csv`` with what was typed in
    ``codings/decisions/convergence.xlsx``."""
    return read_typed(study, CONVERGENCE, read_confirmed,
                      lambda path: read_convergence(path, CLASSES, CONVERGENCE_COLUMNS))


def record_confirmation(study: Study, code_id: str, site_a: str, site_b: str, confirmed: str,
                        *, rationale: str = "", decided_by: str = "") -> Path:
    """Record one convergence class confirmed (one of :data:`CLASSES`, by a coder of
    ``study.yaml``) in ``codings/convergence.csv``, where ``qualcode triangulate`` and
    ``qualcode run`` read it, with every confirmation already typed or recorded; its row of
    ``codings/decisions/convergence.xlsx`` is updated too when the workbook lists it. The
    record has no column for who decided: the note says it, ``"<coder>: <rationale>"``."""
    if confirmed not in CLASSES:
        raise QualcodeError(f"class '{confirmed}' must be one of {', '.join(CLASSES)}")
    check_coder(study, decided_by, "decided_by", together=True)
    note = f"{decided_by}: {rationale}" if rationale else decided_by
    row = pd.DataFrame([(code_id, site_a, site_b, confirmed, note)],
                       columns=[*CONVERGENCE.keys, *CONVERGENCE.filled])
    return record_one(study, confirmations(study), row, write_confirmed,
                      lambda path, rows: write_convergence(path, rows, CLASSES))


def triangulate(study: Study, *, across_coders: bool = False
                ) -> tuple[pd.DataFrame, list[Path]]:
    """``qualcode triangulate``: the framework matrices, the heatmap and convergence coding,
    with the confirmations typed in ``codings/decisions/convergence.xlsx`` (made here, then
    kept up to date by every run) recorded; with ``across_coders``, also convergence between
    the coders (``analyses/convergence-coders.csv``). Returns the per-code convergence
    summary with the files."""
    codebook, imported = prepare(study)
    confirmed = confirmations(study)
    stage = coding_stage(study, imported, codebook)
    result = compute_triangulation(stage, imported, study, codebook, confirmed)
    coders = None
    if across_coders:
        coders = convergence(coder_matrix(human_codings(stage.codings.codings),
                                          imported.segments, study, codebook), codebook)
    written = write_triangulation(result, study, codebook, list_convergence=True)
    if coders is not None:
        written.append(write_csv(study.paths.analyses / "convergence-coders.csv", coders))
    return result.summary, written


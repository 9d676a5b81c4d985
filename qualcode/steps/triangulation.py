"""The triangulation step: framework matrices along every dimension, co-occurrence, and
convergence across sites with the researchers' confirmations.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from qualcode import schema as S
from qualcode.codebook import Codebook
from qualcode.coding import human_codings, reference_codings
from qualcode.collect import ANALYSES, CodingStage, coding_stage, read_typed
from qualcode.decisions import CONVERGENCE, Typed
from qualcode.imports import ImportResult
from qualcode.io.confirmations import (
    read_confirmed,
    read_convergence,
    write_confirmed,
    write_convergence,
)
from qualcode.io.files import write_csv
from qualcode.report.figures import cooccurrence_heatmap, matrix_heatmap, save_figure
from qualcode.report.tables import matrix_sheet, write_workbook
from qualcode.report.wording import study_wording
from qualcode.steps.coding import record, refresh_workbook
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


def write_matrices(stage: CodingStage, imported: ImportResult, study: Study,
                   codebook: Codebook, confirmed: Typed, *, list_convergence: bool = False,
                   into: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame, list[Path]]:
    """The framework matrices of the reference coding (consensus, or the coders' union) along
    every dimension (a CSV each, ``matrix.xlsx``, the code x site heatmap), co-occurrence and
    convergence across sites with the ``confirmed`` classes (recorded in
    ``codings/convergence.csv``; the rows not listed yet added to
    ``codings/decisions/convergence.xlsx`` when it exists or with ``list_convergence``), in
    ``into`` (default: ``analyses/``); returns the site matrix and the convergence summary
    with the files."""
    analyses = into or study.root / ANALYSES
    codings, which = reference_codings(stage.codings.codings)
    matrices = {dimension: framework_matrix(codings, imported.segments, study, codebook,
                                            dimension=dimension).assign(coding=which)
                for dimension in dimensions(study)}
    written = [write_csv(analyses / f"matrix-{name}.csv", matrix)
               for name, matrix in matrices.items()]
    written.append(write_workbook(analyses / "matrix.xlsx",
                                  {name: matrix_sheet(m) for name, m in matrices.items()},
                                  words=study_wording(study)))
    site = matrices["site"]
    codes = site[site["row"] == "code"]
    shares = share_table(site)
    names = {s.id: s.name for s in study.sites}
    domains = {code.id: codebook.text(code.label, study.language) for code in codebook.domains}
    labels = codes.drop_duplicates(S.CODE_ID)
    figure = matrix_heatmap(shares, labels=labels["label"].tolist(),
                            domains=labels["domain"].tolist(),
                            columns=[names[v] for v in shares.columns],
                            language=study.language, domain_labels=domains)
    written += save_figure(figure, analyses / "figures" / "matrix-site")
    pairs = cooccurrence(codings, imported.segments, [c.id for c in codebook.codable])
    written.append(write_csv(analyses / "cooccurrence.csv", pairs.assign(coding=which)))
    labels = {c.id: codebook.text(c.label, study.language) for c in codebook.codable}
    written += save_figure(cooccurrence_heatmap(pairs, labels, language=study.language),
                           analyses / "figures" / "cooccurrence")
    merged, summary = confirmed_convergence(site, codebook, confirmed.merged)
    written += [write_csv(analyses / "convergence.csv", merged),
                write_csv(analyses / "convergence-summary.csv", summary)]
    written += record(study, confirmed, confirmed.merged, write_confirmed)
    if list_convergence or confirmed.listed is not None:
        written += refresh_workbook(
            study, confirmed, merged[list(CONVERGENCE_COLUMNS)].round(3),
            lambda path, rows: write_convergence(path, rows, CLASSES))
    return site, summary, written


def confirmations(study: Study) -> Typed:
    """The convergence classes confirmed: ``codings/convergence.csv`` with what was typed in
    ``codings/decisions/convergence.xlsx``."""
    return read_typed(study, CONVERGENCE, read_confirmed,
                      lambda path: read_convergence(path, CLASSES, CONVERGENCE_COLUMNS))


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
    _, summary, written = write_matrices(stage, imported, study, codebook, confirmed,
                                         list_convergence=True)
    if across_coders:
        matrix = coder_matrix(human_codings(stage.codings.codings), imported.segments, study,
                              codebook)
        written.append(write_csv(study.root / ANALYSES / "convergence-coders.csv",
                                 convergence(matrix, codebook)))
    return summary, written


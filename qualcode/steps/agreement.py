"""The agreement step: inter-coder agreement tables, ``tables.xlsx`` and the forest plot.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qualcode.agreement.tables import AgreementTables, agreement_table
from qualcode.codebook import Codebook
from qualcode.io.files import write_csv
from qualcode.paths import FIGURES
from qualcode.report.figures import agreement_forest, save_figure
from qualcode.report.tables import write_workbook
from qualcode.report.wording import study_wording
from qualcode.steps.collect import CodingStage, coding_stage
from qualcode.steps.imports import ImportResult
from qualcode.steps.transcripts import prepare
from qualcode.study import Study


@dataclass(frozen=True, slots=True)
class AgreementOptions:
    """How ``qualcode agree`` compares coders (see :func:`agreement_table`)."""

    coders: tuple[str, ...] | None = None
    unit: str = "segment"
    bootstrap: int = 1000
    seed: int = 0
    cluster: str | None = "auto"


def compute_agreement(stage: CodingStage, imported: ImportResult, codebook: Codebook,
                      options: AgreementOptions) -> AgreementTables:
    """Agreement between the human coders of ``stage``."""
    return agreement_table(stage.codings.codings, segments=imported.segments,
                           codebook=codebook, coders=list(options.coders or []) or None,
                           unit=options.unit, bootstrap=options.bootstrap, seed=options.seed,
                           cluster=options.cluster, spans=stage.codings.spans,
                           unreviewed=stage.codings.unreviewed)


def write_agreement(tables: AgreementTables, study: Study, codebook: Codebook, *,
                    into: Path | None = None) -> list[Path]:
    """The agreement CSVs, ``tables.xlsx`` (one sheet each) and the forest plot, in ``into``
    (default: ``analyses/``)."""
    analyses = into or study.paths.analyses
    sheets = {"agreement": tables.codes, "agreement-by-domain": tables.domains,
              "agreement-by-transcript": tables.transcripts,
              "agreement-by-site": tables.sites}
    if tables.unitizing is not None:
        sheets["agreement-unitizing"] = tables.unitizing
    else:  # a unitizing table from an earlier character-level run no longer applies
        (analyses / "agreement-unitizing.csv").unlink(missing_ok=True)
    written = [write_csv(analyses / f"{name}.csv", table.assign(interval=tables.interval))
               for name, table in sheets.items()]
    written.append(write_workbook(analyses / "tables.xlsx", sheets,
                                  words=study_wording(study)))
    kappa = "cohen_kappa" if tables.codes["cohen_kappa"].notna().any() else "fleiss_kappa"
    domains = {code.id: codebook.text(code.label, study.language) for code in codebook.domains}
    codes = tables.codes.assign(label=[codebook.text(codebook[c].label, study.language)
                                       for c in tables.codes["code_id"]])  # study's language
    written += save_figure(analyses / FIGURES / "agreement", agreement_forest, codes,
                           kappa=kappa, language=study.language, domain_labels=domains)
    return written


def agree(study: Study, options: AgreementOptions) -> tuple[AgreementTables, list[Path]]:
    """``qualcode agree``: collect the codings and write the agreement tables and figure."""
    codebook, imported = prepare(study)
    stage = coding_stage(study, imported, codebook)
    tables = compute_agreement(stage, imported, codebook, options)
    return tables, write_agreement(tables, study, codebook)


"""Inter-coder agreement: coefficients on ratings matrices, and agreement tables for a study."""

from qualcode.agreement.coefficients import (
    brennan_prediger,
    cohen_kappa,
    conger_kappa,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac2,
    krippendorff_alpha,
    masi_distance,
    pabak,
    percent_agreement,
    scott_pi,
    weight_matrix,
)
from qualcode.agreement.tables import AgreementTables, agreement_table
from qualcode.agreement.unitizing import unitizing_alpha, unitizing_disagreements

__all__ = [
    "AgreementTables",
    "agreement_table",
    "brennan_prediger",
    "cohen_kappa",
    "conger_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "gwet_ac2",
    "krippendorff_alpha",
    "masi_distance",
    "pabak",
    "percent_agreement",
    "scott_pi",
    "unitizing_alpha",
    "unitizing_disagreements",
    "weight_matrix",
]

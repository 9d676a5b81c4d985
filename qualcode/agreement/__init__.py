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

__all__ = [
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
    "weight_matrix",
]

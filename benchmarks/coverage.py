"""How often the agreement intervals cover the true value, on simulated focus-group data.

Generates (seeded) studies in which segments of one participant resemble each other, as in a
focus group: each participant has their own propensity to raise each code (prevalence) and to
say it clearly (how often the two coders see it), so agreement differs between participants.
Every study has ``n`` participants of about 30 codable segments, in groups of 8, with 6 codes
coded by two coders. The true value of a coefficient is its value on the whole population of
participants (computed from the expected pattern frequencies of 400,000 simulated
participants). For each number of participants, prints the share of studies whose 95%
interval for Krippendorff's alpha covers the truth, per code (mean over codes) and pooled
over codes, when resampling segments (``cluster=None``) and participants (the default).

This is the evidence for :data:`qualcode.agreement.tables.MIN_CLUSTERS`; the tests run a
small seeded version of it (``tests/test_agreement_coverage.py``).

Run:  python benchmarks/coverage.py [--participants 3,5,8,10,15,20,30] [--studies 200]
(about 10 s per number of participants with 200 studies.)
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

CODES = ("logement.bruit", "logement.loyer", "stage.encadrement", "stage.isolement",
         "transport.bus", "transport.voiture")
LOGIT_PREVALENCE = np.array([-1.5, -2.0, -1.8, -2.2, -2.5, -1.0])
PER_GROUP = 8
SEGMENTS = 30


def _participants(rng: np.random.Generator, n: int):
    """Per participant and code: prevalence, and each coder's chance of applying the code
    where it is (sensitivity) and where it is not (false positives)."""
    talk = rng.normal(0, 1.0, (n, 1)) + rng.normal(0, 0.8, (n, len(CODES)))
    clarity = rng.normal(0, 0.9, (n, 1)) + rng.normal(0, 0.5, (n, len(CODES)))

    def expit(x):
        return 1 / (1 + np.exp(-x))

    return expit(LOGIT_PREVALENCE + talk), expit(1.6 + clarity), expit(-3.8 - 0.7 * clarity)


def true_alpha() -> tuple[np.ndarray, float]:
    """Krippendorff's alpha per code and pooled over codes, on the population."""
    from qualcode.agreement.patterns import statistics

    prevalence, seen, false = _participants(np.random.default_rng(12345), 400_000)
    both = prevalence * seen ** 2 + (1 - prevalence) * false ** 2
    one = prevalence * seen * (1 - seen) + (1 - prevalence) * false * (1 - false)
    frequencies = np.zeros((len(CODES), 9))  # pattern = state of A + 3 x state of B
    frequencies[:, 4] = (1 - both - 2 * one).mean(axis=0)
    frequencies[:, 5] = frequencies[:, 7] = one.mean(axis=0)
    frequencies[:, 8] = both.mean(axis=0)
    frequencies *= 1e9  # alpha's small-sample factor (n - 1) / n vanishes on the population
    return (statistics(frequencies, n_coders=2)["krippendorff_alpha"],
            float(statistics(frequencies.sum(axis=0), n_coders=2)["krippendorff_alpha"]))


def simulate_study(rng: np.random.Generator, n_participants: int
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(codings, segments)`` of one study."""
    prevalence, seen, false = _participants(rng, n_participants)
    participant = np.repeat(np.arange(n_participants), rng.poisson(SEGMENTS, n_participants) + 1)
    group = [f"FG{g + 1}" for g in participant // PER_GROUP]
    ids = np.array([f"{g}-{i:05d}" for i, g in enumerate(group)])
    segments = pd.DataFrame({
        "segment_id": ids, "transcript_id": group, "group_id": group,
        "site_id": [f"site{int(g[2:]) % 3}" for g in group],
        "participant_id": [f"P{p:03d}" for p in participant], "turn": np.arange(len(ids)),
        "start": 0, "end": 1, "text": "x", "codable": True, "time": np.nan})
    present = rng.random((len(ids), len(CODES))) < prevalence[participant]
    rows = []
    for coder in ("A", "B"):
        draw = rng.random(present.shape)
        applied = np.where(present, draw < seen[participant], draw < false[participant])
        segment, code = np.nonzero(applied)
        rows.append(pd.DataFrame({"coder": coder, "segment_id": ids[segment],
                                  "code_id": np.array(CODES)[code]}))
    return pd.concat(rows).assign(source="simulated.csv"), segments


def coverage(n_participants: int, n_studies: int, *, cluster: str | None = "auto",
             bootstrap: int = 400, seed: int = 0) -> tuple[float, float]:
    """Share of ``n_studies`` whose alpha interval covers the truth: ``(per code, averaged
    over the codes, pooled over codes)``."""
    from qualcode.agreement.tables import agreement_table
    from qualcode.errors import QualcodeWarning

    per_code, pooled = true_alpha()
    rng = np.random.default_rng(seed)
    codes, overall = [], []
    for study in range(n_studies):
        codings, segments = simulate_study(rng, n_participants)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", QualcodeWarning)  # a code nobody used
            tables = agreement_table(codings, segments=segments, bootstrap=bootstrap,
                                     seed=study, cluster=cluster)
        rows = tables.codes.set_index("code_id").reindex(list(CODES))
        codes.append((rows["alpha_low"] <= per_code) & (per_code <= rows["alpha_high"]))
        row = tables.domains.query("domain == 'all' and method == 'pooled'").iloc[0]
        overall.append(row["alpha_low"] <= pooled <= row["alpha_high"])
    return float(np.mean(codes)), float(np.mean(overall))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", default="3,5,8,10,15,20,30")
    parser.add_argument("--studies", type=int, default=200)
    args = parser.parse_args()
    print("participants | segments resampled: per code, pooled | participants resampled: "
          "per code, pooled")
    from qualcode.agreement import tables

    tables.MIN_CLUSTERS = 1  # measure the cluster bootstrap below qualcode's minimum too
    for n in (int(v) for v in args.participants.split(",")):
        plain = coverage(n, args.studies, cluster=None)
        clustered = coverage(n, args.studies, cluster="participant")
        print(f"{n:12d} | {plain[0]:.2f}, {plain[1]:.2f} | {clustered[0]:.2f}, "
              f"{clustered[1]:.2f}")


if __name__ == "__main__":
    main()

"""Time of qualcode's full agreement table, next to what a user would otherwise write.

Generates (seeded) a fictional coded study: 100,000 codable segments in 100 transcripts (one
focus group each, 6-10 participants, 3 sites), 60 binary codes in 6 domains and 3 coders. Each
code has a prevalence between 1% and 20% and a latent "true" presence per segment; each coder
applies it with a sensitivity around 0.85 and a small false-positive rate, and a few codes are
clearly harder (lower sensitivity, more false positives), so agreement varies by code. Then
measures, each run in a fresh Python process (imports timed apart, data loaded untimed),
repetitions interleaved:

* qualcode: ``agreement_table(codings, segments=segments, bootstrap=1000, seed=0)`` from the
  codings and segments DataFrames: every statistic per code with 1,000-resample intervals for
  kappa, alpha and AC1, plus the domain, overall, transcript and site rollups; and the same with
  ``cluster="participant"``; and, to see what the intervals cost, with ``bootstrap=0``;
* peer, point estimates only: ``krippendorff.alpha(reliability_data=x,
  level_of_measurement="nominal")`` looped over the codes, ``x`` the ready-made 3 x N 0/1
  matrix of one code (building it from the codings table is not timed: this favours the peer);
* peer, row-resampling bootstrap: for one code, resample the N segments with replacement and
  recompute ``krippendorff.alpha`` (3 coders), or sklearn's ``cohen_kappa_score`` (one pair of
  coders), a few times; the time per resample is extrapolated (not run) to 1,000 resamples x
  every code.

Checks that qualcode's per-code Krippendorff's alpha equals the krippendorff package's for every
code, and prints medians and min–max over the repetitions, the same-run ratios and the targets:
the full table in less than half the time of the point-estimate loop, and at least 1,000x faster
than the extrapolated row-resampling bootstrap.

Run:  python benchmarks/agreement.py [--segments N] [--codes N] [--repeat N]
                                     [--resamples-measured N] [--seed N]
(default: 5 runs per configuration, 3 for one whose first run takes over 10 s; a few minutes.
Quick check: --segments 5000 --codes 12 --repeat 1.)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from time import perf_counter

import numpy as np

SCRIPT = Path(__file__).resolve()
CODERS = ("coder_a", "coder_b", "coder_c")
DOMAINS = ("logement", "transport", "stage", "social", "argent", "sante")
SITES = ("bordeaux", "pau", "dax")
N_TRANSCRIPTS = 100
BOOTSTRAP = 1000
SLOW_SECONDS = 10.0  # a configuration whose first run takes longer is repeated at most 3 times
TARGET_POINT_RATIO = 0.5
TARGET_BOOTSTRAP_SPEEDUP = 1000
ALPHA_TOLERANCE = 1e-12
CONFIGS = {  # worker kind: description
    "qualcode": "qualcode agreement_table, bootstrap=1000",
    "qualcode_participant": "qualcode agreement_table, bootstrap=1000, cluster=participant",
    "qualcode_point": "qualcode agreement_table, bootstrap=0 (point estimates only)",
    "krippendorff_loop": "krippendorff.alpha looped over codes (point estimates only)",
    "krippendorff_from_codings": "the same loop, building its matrices from the codings table",
    "row_boot_krippendorff": "row resampling + krippendorff.alpha (3 coders), one code",
    "row_boot_sklearn": "row resampling + sklearn cohen_kappa_score (one pair), one code",
}


# --- data generation -------------------------------------------------------------------------


def generate_ratings(n_segments: int, n_codes: int, seed: int) -> tuple[np.ndarray, list[str]]:
    """``(codes, coders, segments)`` 0/1 ratings and the code ids, in that order."""
    rng = np.random.default_rng(seed)
    prevalence = rng.uniform(0.01, 0.20, n_codes)
    sensitivity = np.clip(rng.normal(0.85, 0.04, n_codes), 0.7, 0.95)
    false_positive = rng.uniform(0.002, 0.015, n_codes)
    hard = rng.choice(n_codes, size=max(1, n_codes // 10), replace=False)
    sensitivity[hard], false_positive[hard] = 0.6, 0.04
    ratings = np.empty((n_codes, len(CODERS), n_segments), dtype=np.uint8)
    for k in range(n_codes):
        truth = rng.random(n_segments) < prevalence[k]
        draw = rng.random((len(CODERS), n_segments))
        ratings[k] = np.where(truth, draw < sensitivity[k], draw < false_positive[k])
    per_domain = -(-n_codes // len(DOMAINS))
    code_ids = [f"{DOMAINS[k // per_domain]}.{k % per_domain + 1:02d}" for k in range(n_codes)]
    return ratings, code_ids


def generate_segments(n_segments: int, seed: int):
    """The segments table: 100 transcripts (one group each), 6-10 participants, 3 sites."""
    import pandas as pd

    rng = np.random.default_rng(seed + 1)
    n_transcripts = min(N_TRANSCRIPTS, n_segments)
    sizes = np.full(n_transcripts, n_segments // n_transcripts)
    sizes[: n_segments % n_transcripts] += 1
    frames, next_participant = [], 1
    for t, size in enumerate(sizes):
        people = [f"P{next_participant + i:04d}" for i in range(rng.integers(6, 11))]
        next_participant += len(people)
        turn_of = np.repeat(np.arange(size), rng.integers(1, 5, size))[:size]
        speaker = rng.choice(people, size=turn_of[-1] + 1)[turn_of]
        length = rng.integers(20, 200, size)
        end = np.cumsum(length + 1) - 1
        frames.append(pd.DataFrame({
            "segment_id": [f"T{t + 1:03d}-{i:05d}" for i in range(size)],
            "transcript_id": f"T{t + 1:03d}", "group_id": f"FG{t + 1:03d}",
            "site_id": SITES[t % len(SITES)], "participant_id": speaker, "turn": turn_of,
            "start": end - length, "end": end, "text": "…", "codable": True,
            "time": (end / 15.0).round(1)}))
    return pd.concat(frames, ignore_index=True)


def codings_table(ratings: np.ndarray, code_ids: list[str], segment_ids: np.ndarray):
    """Long codings table (coder, segment_id, code_id, source) from the 0/1 ratings."""
    import pandas as pd

    code, coder, segment = np.nonzero(ratings)
    return pd.DataFrame({"coder": np.asarray(CODERS)[coder], "segment_id": segment_ids[segment],
                         "code_id": np.asarray(code_ids)[code], "source": "manual"})


def write_study(workdir: Path, n_segments: int, n_codes: int, seed: int) -> dict:
    ratings, code_ids = generate_ratings(n_segments, n_codes, seed)
    segments = generate_segments(n_segments, seed)
    codings = codings_table(ratings, code_ids, segments["segment_id"].to_numpy())
    segments.to_pickle(workdir / "segments.pkl")
    codings.to_pickle(workdir / "codings.pkl")
    np.save(workdir / "ratings.npy", ratings)
    return {"segments": len(segments), "codings": len(codings), "codes": n_codes,
            "code_ids": code_ids,
            "transcripts": segments["transcript_id"].nunique(),
            "participants": segments["participant_id"].nunique()}


# --- measurements, each in a fresh process ---------------------------------------------------


def measure_qualcode(workdir: Path, cluster: str | None, bootstrap: int = BOOTSTRAP) -> dict:
    import pandas as pd

    segments = pd.read_pickle(workdir / "segments.pkl")
    codings = pd.read_pickle(workdir / "codings.pkl")
    t0 = perf_counter()
    from qualcode.agreement.tables import agreement_table

    load = perf_counter() - t0
    t1 = perf_counter()
    tables = agreement_table(codings, segments=segments, bootstrap=bootstrap, seed=0,
                             cluster=cluster)
    run = perf_counter() - t1
    codes = tables.codes
    return {"load": load, "run": run, "code_ids": codes["code_id"].tolist(),
            "alpha": codes["krippendorff_alpha"].tolist(),
            "alpha_width": (codes["alpha_high"] - codes["alpha_low"]).tolist(),
            "rows": [len(codes), len(tables.domains), len(tables.transcripts), len(tables.sites)],
            "interval": tables.interval}


def measure_krippendorff_loop(workdir: Path) -> dict:
    ratings = np.load(workdir / "ratings.npy")
    t0 = perf_counter()
    import krippendorff

    load = perf_counter() - t0
    t1 = perf_counter()
    alphas = [krippendorff.alpha(reliability_data=x, level_of_measurement="nominal")
              for x in ratings]
    run = perf_counter() - t1
    return {"load": load, "run": run, "alpha": [float(a) for a in alphas]}


def measure_krippendorff_from_codings(workdir: Path) -> dict:
    """The loop as a pandas user writes it from the codings table qualcode gets: one
    presence table (segments x code and coder, by ``groupby().size().unstack()``), then one
    3 x N matrix per code."""
    import pandas as pd

    segments = pd.read_pickle(workdir / "segments.pkl")
    codings = pd.read_pickle(workdir / "codings.pkl")
    t0 = perf_counter()
    import krippendorff

    load = perf_counter() - t0
    t1 = perf_counter()
    presence = (codings.groupby(["segment_id", "code_id", "coder"]).size().clip(upper=1)
                .unstack(["code_id", "coder"], fill_value=0)
                .reindex(segments.loc[segments["codable"], "segment_id"], fill_value=0))
    code_ids = sorted(presence.columns.get_level_values(0).unique())
    alphas = [krippendorff.alpha(reliability_data=presence[code].reindex(
        columns=list(CODERS), fill_value=0).to_numpy().T, level_of_measurement="nominal")
        for code in code_ids]
    run = perf_counter() - t1
    return {"load": load, "run": run, "code_ids": code_ids, "alpha": [float(a) for a in alphas]}


def measure_row_bootstrap(workdir: Path, peer: str, resamples: int, seed: int) -> dict:
    """Row-resampling bootstrap of one code (the first): ``resamples`` draws, timed."""
    x = np.load(workdir / "ratings.npy", mmap_mode="r")[0].copy()
    t0 = perf_counter()
    if peer == "krippendorff":
        import krippendorff

        def compute(rows: np.ndarray) -> float:
            return krippendorff.alpha(reliability_data=x[:, rows],
                                      level_of_measurement="nominal")
    else:
        from sklearn.metrics import cohen_kappa_score

        def compute(rows: np.ndarray) -> float:
            return cohen_kappa_score(x[0, rows], x[1, rows])
    load = perf_counter() - t0
    rng = np.random.default_rng(seed)
    n = x.shape[1]
    t1 = perf_counter()
    values = [compute(rng.integers(0, n, n)) for _ in range(resamples)]
    run = perf_counter() - t1
    return {"load": load, "run": run, "per_resample": run / resamples,
            "values": [float(v) for v in values]}


def worker_main(kind: str, workdir: Path, resamples: int, seed: int) -> None:
    if kind == "qualcode":
        result = measure_qualcode(workdir, None)
    elif kind == "qualcode_participant":
        result = measure_qualcode(workdir, "participant")
    elif kind == "qualcode_point":
        result = measure_qualcode(workdir, None, bootstrap=0)
    elif kind == "krippendorff_loop":
        result = measure_krippendorff_loop(workdir)
    elif kind == "krippendorff_from_codings":
        result = measure_krippendorff_from_codings(workdir)
    else:
        result = measure_row_bootstrap(workdir, kind.removeprefix("row_boot_"), resamples, seed)
    result["loadavg"] = os.getloadavg()[0]  # 1-minute load average at the end of the run
    print(json.dumps(result))


def run_worker(kind: str, workdir: Path, resamples: int, seed: int) -> dict:
    """Run one measurement in a fresh Python process and return its JSON result."""
    command = [sys.executable, str(SCRIPT), "--worker", kind, "--workdir", str(workdir),
               "--resamples-measured", str(resamples), "--seed", str(seed)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{kind} run failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_all(workdir: Path, repeat: int, resamples: int, seed: int) -> dict[str, list[dict]]:
    """Every configuration ``repeat`` times, interleaved; slow ones at most 3 times."""
    runs: dict[str, list[dict]] = {kind: [] for kind in CONFIGS}
    wanted = dict.fromkeys(CONFIGS, repeat)
    for i in range(repeat):
        for kind in CONFIGS:
            if i >= wanted[kind]:
                continue
            result = run_worker(kind, workdir, resamples, seed)
            runs[kind].append(result)
            if i == 0 and result["run"] > SLOW_SECONDS:
                wanted[kind] = min(repeat, 3)
            print(f"run {i + 1}/{wanted[kind]} {kind}: {result['run']:.3f} s "
                  f"(import {result['load']:.2f} s)", file=sys.stderr)
    return runs


# --- report ----------------------------------------------------------------------------------


def seconds(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def spread(values: list[float]) -> str:
    return f"{seconds(statistics.median(values))} [{seconds(min(values))}–{seconds(max(values))}]"


def print_environment(source: str) -> None:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpuinfo = Path("/proc/cpuinfo")
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                  if line.startswith("model name")), "") if cpuinfo.is_file() else ""
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in
                         ("numpy", "pandas", "krippendorff", "scikit-learn", "qualcode"))
    print(f"Python {platform.python_version()} ({platform.python_implementation()}), {versions}")
    print(f"qualcode source: {source}")
    print(f"CPUs: {cpus} usable ({os.cpu_count()} online), {model or platform.processor()}; "
          f"{platform.platform()}")


def git_state() -> str:
    """The commit of the measured qualcode, and whether its package has uncommitted changes."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(SCRIPT.parent.parent), *args],
                              capture_output=True, text=True, check=False)
        return done.stdout.rstrip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "not a git checkout"
    changed = [line[3:] for line in git("status", "--porcelain", "--", "qualcode").splitlines()]
    return f"git {commit}" + (f" + uncommitted changes: {', '.join(changed)}" if changed
                              else " (clean)")


def print_table(rows: list[list[str]]) -> None:
    header = ["configuration", "runs", "import s", "seconds median [min–max]"]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for i, row in enumerate([header, *rows]):
        print("  ".join(str(c).ljust(w) if j == 0 else str(c).rjust(w)
                        for j, (c, w) in enumerate(zip(row, widths, strict=True))))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def extrapolated(runs: list[dict], n_codes: int) -> list[float]:
    """Seconds for BOOTSTRAP resamples x every code, from each run's time per resample."""
    return [r["per_resample"] * BOOTSTRAP * n_codes for r in runs]


def check_alpha(info: dict, runs: dict[str, list[dict]]) -> tuple[float, bool, bool]:
    """Max |qualcode alpha - krippendorff.alpha| over the codes, matched by code id."""
    def by_code(result: dict) -> np.ndarray:
        alpha = dict(zip(result["code_ids"], result["alpha"], strict=True))
        return np.array([alpha[code] for code in info["code_ids"]])

    ours, clustered = by_code(runs["qualcode"][0]), by_code(runs["qualcode_participant"][0])
    theirs = np.array(runs["krippendorff_loop"][0]["alpha"])  # in generation order
    diff = float(np.max(np.abs(ours - theirs)))
    return diff, diff <= ALPHA_TOLERANCE, bool(np.array_equal(ours, clustered))


def print_data(info: dict, runs: dict[str, list[dict]]) -> None:
    first, clustered = runs["qualcode"][0], runs["qualcode_participant"][0]
    alpha = np.array(first["alpha"])
    print(f"\nStudy: {info['segments']:,} codable segments, {info['transcripts']} transcripts, "
          f"{info['participants']} participants, {len(SITES)} sites; {info['codes']} codes x "
          f"{len(CODERS)} coders; {info['codings']:,} codings rows")
    print(f"Per-code alpha: min {alpha.min():.3f}, median {np.median(alpha):.3f}, "
          f"max {alpha.max():.3f}; {(alpha < 0.667).sum()} code(s) below .667, "
          f"{(alpha >= 0.8).sum()} at or above .800")
    print(f"Median alpha interval width: {np.median(first['alpha_width']):.4f} (segments), "
          f"{np.median(clustered['alpha_width']):.4f} (participant clusters)")
    print(f"qualcode tables (codes, domains, transcripts, sites rows): {first['rows']}; "
          f"interval: {first['interval']!r} / {clustered['interval']!r}")


def report(info: dict, runs: dict[str, list[dict]], resamples: int) -> None:
    n_codes, n = info["codes"], info["segments"]
    loads = [r["loadavg"] for results in runs.values() for r in results]
    print(f"\nOne fresh process per run, runs interleaved ({max(map(len, runs.values()))} per "
          f"configuration, at most 3 when the first run takes > {SLOW_SECONDS:.0f} s); import "
          f"timed apart, data loading not timed; 1-min load average after each run "
          f"{min(loads):.2f}–{max(loads):.2f}\n")
    rows = [[CONFIGS[kind], len(r), f"{statistics.median(x['load'] for x in r):.2f}",
             spread([x["run"] for x in r])] for kind, r in runs.items()]
    for kind in ("row_boot_krippendorff", "row_boot_sklearn"):
        rows.append([f"  -> extrapolated to {BOOTSTRAP:,} resamples x {n_codes} codes "
                     f"(NOT run)", len(runs[kind]), "",
                     spread(extrapolated(runs[kind], n_codes))])
    print_table(rows)
    print(f"\nRow-resampling rows: {resamples} resamples of {n:,} segments measured for one "
          f"code, per-resample time x {BOOTSTRAP:,} x {n_codes} codes = extrapolated, not run.")
    diff, ok, same = check_alpha(info, runs)
    print(f"\n[{'OK' if ok else 'MISSED'}] qualcode alpha = krippendorff.alpha for all "
          f"{n_codes} codes: max |difference| {diff:.2e} (tolerance {ALPHA_TOLERANCE:g}); "
          f"cluster=participant, same point estimates: {same}")
    print_data(info, runs)
    print_ratios(runs, n_codes)


def print_ratios(runs: dict[str, list[dict]], n_codes: int) -> None:
    table = statistics.median(r["run"] for r in runs["qualcode"])
    table_cluster = statistics.median(r["run"] for r in runs["qualcode_participant"])
    point = statistics.median(r["run"] for r in runs["krippendorff_loop"])
    table_point = statistics.median(r["run"] for r in runs["qualcode_point"])
    boot_k = statistics.median(extrapolated(runs["row_boot_krippendorff"], n_codes))
    boot_s = statistics.median(extrapolated(runs["row_boot_sklearn"], n_codes))
    from_codings = statistics.median(r["run"] for r in runs["krippendorff_from_codings"])
    print("\nSame-run ratios (medians):")
    print(f"  qualcode full table / krippendorff point-estimate loop: {table / point:.3f} "
          f"(cluster=participant: {table_cluster / point:.3f}; qualcode with bootstrap=0: "
          f"{table_point / point:.3f})")
    print(f"  qualcode full table / the same loop building its matrices from the codings table: "
          f"{table / from_codings:.3f} (not the target's measure: for information)")
    print(f"  extrapolated row bootstrap / qualcode full table: krippendorff "
          f"{boot_k / table:,.0f}x, sklearn one pair {boot_s / table:,.0f}x "
          f"(cluster=participant: {boot_k / table_cluster:,.0f}x, {boot_s / table_cluster:,.0f}x)")
    checks = [(f"full table with {BOOTSTRAP:,}-resample intervals < {TARGET_POINT_RATIO} x the "
               f"krippendorff point-estimate loop", table / point < TARGET_POINT_RATIO,
               f"{table:.3g} s vs {point:.3g} s = {table / point:.3f} x"),
              (f"≥ {TARGET_BOOTSTRAP_SPEEDUP:,}x faster than row-resampling + krippendorff.alpha "
               f"(extrapolated)", boot_k / table >= TARGET_BOOTSTRAP_SPEEDUP,
               f"{boot_k:,.0f} s vs {table:.3g} s = {boot_k / table:,.0f}x")]
    print("\nTargets (qualcode without clusters):")
    for label, ok, value in checks:
        print(f"  [{'OK' if ok else 'MISSED'}] {label}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--segments", type=int, default=100_000, help="codable segments")
    parser.add_argument("--codes", type=int, default=60, help="number of codes")
    parser.add_argument("--repeat", type=int, default=5, help="fresh processes per config")
    parser.add_argument("--resamples-measured", type=int, default=20,
                        help="row-resampling draws actually run (then extrapolated)")
    parser.add_argument("--seed", type=int, default=20240213, help="data generator seed")
    parser.add_argument("--worker", choices=tuple(CONFIGS), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args.worker, args.workdir, args.resamples_measured, args.seed)
        return
    source = git_state()  # before the runs: the tree may change while they run
    with tempfile.TemporaryDirectory(prefix="qualcode-agree-") as tmp:
        t0 = perf_counter()
        info = write_study(Path(tmp), args.segments, args.codes, args.seed)
        print(f"generated {info['segments']:,} segments and {info['codings']:,} codings in "
              f"{perf_counter() - t0:.1f} s", file=sys.stderr)
        runs = run_all(Path(tmp), args.repeat, args.resamples_measured, args.seed)
    print_environment(source)
    report(info, runs, args.resamples_measured)


if __name__ == "__main__":
    main()

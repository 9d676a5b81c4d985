"""``qualcode run`` at national scale: 100 focus groups, about 1.5M words, 3 coders, 60 codes.

Generates (seeded) a fictional multi-site study with ``benchmarks/segment.py``'s transcript
writer (100 UTF-8 transcripts of ~15,000 words of spoken French, 6 sites, ~750 participants
with real-looking names in ``identities.csv``), a 60-code codebook (the HTES codebook's 41
codes and 19 more, in its 6 domains), the codings of 3 coders as CSV files (each segment's
codes drawn from site-dependent frequencies, each coder missing some and adding a few), and
the consensus decisions on every disagreement, so that every stage of the pipeline runs.

Then runs ``qualcode run`` in a fresh process, ``--repeat`` times, and prints one table:
the seconds of each stage (from ``analyses/run.json``), the confidentiality audit that ends
the run (timed alone with ``qualcode audit``), what remains outside the stages (start-up, the
name check, the console summary), the total, and the peak memory of the process
(``ru_maxrss`` of the child, from ``os.wait4``). Medians and ranges. The machine is shared:
repeat, and read the range. Stages added to the pipeline later show up on their own.

Run:  python benchmarks/scale.py [--groups 100] [--words 1500000] [--repeat 3] [--keep DIR]
      [--no-name-check]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPT = Path(__file__).resolve()
sys.path.insert(0, str(SCRIPT.parent))

from segment import TOPICS, generate_study, print_environment  # noqa: E402

CODERS = ("coder_a", "coder_b", "coder_c")
N_CODES = 60
TARGET_SECONDS = 300
TARGET_MB = 4000
CATEGORIES = ("private_space", "shared_space", "equipment", "services", "contract",
              "location", "integration", "local_policy")


# --- the study ---------------------------------------------------------------------------------


def write_codebook(root: Path) -> list[str]:
    """``codebooks/scale.yaml``: the HTES codebook with inductive codes added to its domains
    up to ``N_CODES`` codable codes; returns the codable ids."""
    import yaml

    from qualcode.codebook import load_codebook

    htes = yaml.safe_load((root / "codebooks" / "htes.yaml").read_text(encoding="utf-8"))
    htes["id"] = "scale"
    domains = htes["codes"]
    n_codable = len(load_codebook(root / "codebooks" / "htes.yaml").codable)
    for n in range(N_CODES - n_codable):
        domain, topic = domains[n % len(domains)], TOPICS[n % len(TOPICS)]
        domain.setdefault("children", []).append({
            "id": f"{domain['id']}.theme_{n + 1:02d}",
            "label": {"fr": f"Thème émergent : {topic}", "en": f"Emerging theme {n + 1}"},
            "definition": f"Propos des internes sur {topic}, non couverts par les autres codes.",
            "origin": "inductive",
            "requirement": {"id": f"R-SC-{n + 1:02d}", "category": CATEGORIES[n % 8],
                            "fr": f"Tenir compte de {topic}.", "en": f"Address {topic}."}})
    path = root / "codebooks" / "scale.yaml"
    path.write_text(yaml.safe_dump(htes, allow_unicode=True, sort_keys=False), encoding="utf-8")
    codes = [code.id for code in load_codebook(path).codable]
    assert len(codes) == N_CODES, len(codes)
    return codes


def write_codings(root: Path, codes: list[str], seed: int) -> dict:
    """Each coder's CSV (``codings/<coder>.csv``) and ``codings/consensus.csv``, from the
    study's segments; returns counts."""
    from qualcode.steps.imports import import_study
    from qualcode.study import load_study

    rng = random.Random(seed)
    segments = import_study(load_study(root)).segments
    codable = segments[segments["codable"]]
    # Each site raises the codes with its own frequencies (Zipf-like, shuffled per site).
    weights = {}
    for site in sorted(set(codable["site_id"])):
        order = codes[:]
        rng.shuffle(order)
        weights[site] = (order, [1 / (rank + 1) for rank in range(len(order))])
    rows = {coder: [] for coder in CODERS}
    disagreements = []
    for segment_id, site in zip(codable["segment_id"], codable["site_id"], strict=True):
        draw = rng.random()
        true = set(rng.choices(*weights[site], k=1 if draw < 0.55 else 2)) \
            if draw < 0.7 else set()
        applied = {}
        for coder in CODERS:
            mine = {code for code in sorted(true) if rng.random() < 0.85}  # sorted: seeded
            if rng.random() < 0.05:
                mine.add(rng.choice(codes))
            applied[coder] = mine
            rows[coder] += [(coder, segment_id, code) for code in sorted(mine)]
        union = set().union(*applied.values())
        disagreements += [(segment_id, code) for code in sorted(union)
                          if not all(code in mine for mine in applied.values())]
    folder = root / "codings"
    folder.mkdir(exist_ok=True)
    for coder, coded in rows.items():
        with (folder / f"{coder}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(("coder", "segment_id", "code_id"))
            writer.writerows(coded)
    with (folder / "consensus.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("segment_id", "code_id", "decision", "rationale", "decided_by"))
        writer.writerows((segment_id, code, "keep" if rng.random() < 0.6 else "drop",
                          "discuté en réunion", "A+B+C") for segment_id, code in disagreements)
    return {"segments": len(segments), "codable": len(codable),
            "codings": sum(len(r) for r in rows.values()), "disagreements": len(disagreements)}


def generate(root: Path, groups: int, words: int, seed: int) -> dict:
    """The whole study in ``root``; returns what it holds."""
    import yaml

    generate_study(root, words, seed, groups=groups)
    codes = write_codebook(root)
    manifest = yaml.safe_load((root / "study.yaml").read_text(encoding="utf-8"))
    manifest["codebook"] = "codebooks/scale.yaml"
    manifest["coders"] = [{"id": coder} for coder in CODERS]
    (root / "study.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True,
                                                    sort_keys=False), encoding="utf-8")
    info = write_codings(root, codes, seed)
    return {"groups": groups, "participants": len(manifest["participants"]),
            "codes": len(codes), **info}


# --- the measurement ---------------------------------------------------------------------------


def qualcode(*args: str) -> tuple[float, float]:
    """``qualcode ARGS`` in a fresh process: wall seconds and peak memory (MB)."""
    with tempfile.TemporaryFile() as errors:  # not a pipe: a full pipe would block the run
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "qualcode", *args],
                                 stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            sys.exit(f"qualcode {args[0]} failed:\n{errors.read().decode()[-3000:]}")
    return seconds, usage.ru_maxrss * 1024 / 1e6


def run_once(root: Path, name_check: bool) -> dict:
    """``qualcode run`` in a fresh process: wall seconds, peak memory, stage seconds; then
    ``qualcode audit`` alone, which ``qualcode run`` ends with (outside run.json)."""
    total, mb = qualcode("run", "--study", str(root), *([] if name_check else
                                                         ["--no-name-check"]))
    stages = json.loads((root / "analyses" / "run.json").read_text(encoding="utf-8"))["seconds"]
    audit, _ = qualcode("audit", "--study", str(root))
    return {"total": total, "mb": mb, "stages": stages, "audit": audit}


def report(info: dict, runs: list[dict], name_check: bool) -> None:
    def cell(values: list[float]) -> str:
        middle = statistics.median(values)
        return f"{middle:8.1f}  ({min(values):.1f}-{max(values):.1f})"

    outside = "start-up, name check, console" if name_check else "start-up, console"
    print(f"\nStudy: {info['groups']} focus groups, {info['words']:,} words, "
          f"{info['participants']} participants, {info['segments']:,} segments "
          f"({info['codable']:,} codable), {len(CODERS)} coders, {info['codes']} codes, "
          f"{info['codings']:,} codings, {info['disagreements']:,} disagreements decided.")
    print(f"'qualcode run{'' if name_check else ' --no-name-check'}', {len(runs)} fresh "
          "processes; seconds: median (min-max)\n")
    stages = list(runs[0]["stages"])
    rows = [(stage, [run["stages"][stage] for run in runs]) for stage in stages]
    rows.append(("audit (timed alone, with its start-up)", [run["audit"] for run in runs]))
    rows.append((outside, [run["total"] - sum(run["stages"].values()) - run["audit"]
                           for run in runs]))
    width = max(len(name) for name, _ in rows) + 2
    print(f"{'stage':<{width}}{'seconds':>8}")
    for name, values in rows:
        print(f"{name:<{width}}{cell(values)}")
    totals, memory = [run["total"] for run in runs], [run["mb"] for run in runs]
    print(f"{'total':<{width}}{cell(totals)}")
    print(f"{'peak memory (MB)':<{width}}{cell(memory)}")
    slowest = max(rows, key=lambda row: statistics.median(row[1]))
    print(f"\nSlowest stage: {slowest[0]} ({statistics.median(slowest[1]):.1f} s, "
          f"{statistics.median(slowest[1]) / statistics.median(totals):.0%} of the run).")
    print(f"Target: under {TARGET_SECONDS} s and {TARGET_MB:,} MB: "
          f"{'met' if max(totals) < TARGET_SECONDS and max(memory) < TARGET_MB else 'NOT met'}"
          f" (slowest run {max(totals):.0f} s, {max(memory):,.0f} MB).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--words", type=int, default=1_500_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="generate the study in DIR (or reuse it)")
    parser.add_argument("--no-name-check", dest="name_check", action="store_false")
    args = parser.parse_args()
    print_environment()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "study"
        info_path = root / "scale.json"
        if info_path.is_file():
            info = json.loads(info_path.read_text(encoding="utf-8"))
        else:
            start = time.perf_counter()
            info = generate(root, args.groups, args.words, args.seed)
            info_path.write_text(json.dumps(info), encoding="utf-8")
            print(f"generated the study in {time.perf_counter() - start:.0f} s")
        runs = []
        for n in range(args.repeat):
            runs.append(run_once(root, args.name_check))
            print(f"run {n + 1}: {runs[-1]['total']:.1f} s, {runs[-1]['mb']:,.0f} MB",
                  flush=True)
        imported = (root / "analyses" / "import.csv").read_text(encoding="utf-8").splitlines()
        column = imported[0].split(",").index("n_words")
        info["words"] = sum(int(line.split(",")[column]) for line in imported[1:])
        report(info, runs, args.name_check)


if __name__ == "__main__":
    main()

"""The wheel ships the demo study and the HTES codebook, and `init --demo` works from it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_packaging_wheel_carries_the_demo_and_init_uses_it(tmp_path):
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d",
                    str(tmp_path / "dist")], cwd=ROOT, check=True, capture_output=True)
    [wheel] = (tmp_path / "dist").glob("qualcode-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    for item in ("study.yaml", "identities.csv", "codebooks/htes.yaml",
                 "transcripts/fg1-bordeaux.docx", "transcripts/fg2-mont-de-marsan.txt",
                 "transcripts/fg3-hagetmau.vtt", "designs/hagetmau.yaml", "codings/A.xlsx"):
        assert f"qualcode/_demo/{item}" in names
        assert (tmp_path / "site" / "qualcode" / "_demo" / item).read_bytes() == \
            (ROOT / item).read_bytes()
    code = ("import sys; from qualcode.steps.scaffold import demo_dir, init_study; "
            "print(demo_dir()); init_study(sys.argv[1], demo=True)")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "etude")], env=env,
                            cwd=tmp_path, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == str(tmp_path / "site" / "qualcode" / "_demo")
    assert (tmp_path / "etude" / "transcripts" / "fg3-hagetmau.vtt").is_file()

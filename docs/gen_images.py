"""Make the pictures of the documentation (docs/img/) from a real run on the demo study.

Run ``python docs/gen_images.py`` from the repository root: it copies the demo into a
temporary folder as ``qualcode init --demo`` does, runs ``qualcode run`` there, copies some
figures, and renders the first pages of the checklist and of the report with LibreOffice and
pdftoppm (``apt-get install libreoffice-writer poppler-utils``). Every picture is then checked
for names from the demo's identities.csv (the text of the rendered PDFs, and the figures'
PNG text chunks, which the run's audit already read).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

from qualcode.pipeline import run
from qualcode.steps.scaffold import init_study

IMAGES = Path(__file__).resolve().parent / "img"
FIGURES = ("agreement.png", "matrix-site.png", "saturation.png", "checklist.png")
PAGES = {"checklist": (1, 2, 3), "report": (1, 3)}  # document: the pages shown


def render_pages(docx: Path, numbers: tuple[int, ...], work: Path) -> tuple[Image.Image, str]:
    """The pages of a Word file side by side, on a light grey background."""
    subprocess.run(["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", str(work),
                    str(docx)], check=True, capture_output=True)
    pdf = work / f"{docx.stem}.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    pages = []
    for number in numbers:
        stem = work / f"{docx.stem}-{number}"
        subprocess.run(["pdftoppm", "-r", "55", "-png", "-singlefile", "-f", str(number),
                        "-l", str(number), str(pdf), str(stem)], check=True)
        pages.append(Image.open(f"{stem}.png").convert("RGB"))
    gap = 12
    sheet = Image.new("RGB", (sum(p.width for p in pages) + gap * (len(pages) + 1),
                              max(p.height for p in pages) + 2 * gap), (230, 230, 230))
    x = gap
    for page in pages:
        sheet.paste(page, (x, gap))
        x += page.width + gap
    return sheet, text


def no_name(text: str, study: Path, what: str) -> None:
    """Stop when a whole name, or a capitalised word of one, shows in a picture's text (the
    run's audit has read the documents already; this checks what the picture shows)."""
    import csv

    with open(study / "identities.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    names = {row["name"] for row in rows if row["name"]}
    words = {word for name in names for word in name.split() if len(word) > 2}
    seen = {word.strip(".,;:«»()!?'’") for word in text.split()}
    found = sorted(name for name in names if name in text) + sorted(words & seen)
    if found:
        sys.exit(f"{what} shows a name from identities.csv: {', '.join(found)}")


def main() -> None:
    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        study = init_study(Path(tmp) / "my-study", demo=True)
        run(study)
        analyses = study / "analyses"
        for figure in FIGURES:
            shutil.copyfile(analyses / "figures" / figure, IMAGES / figure)
        for document, numbers in PAGES.items():
            image, text = render_pages(analyses / f"{document}.docx", numbers, Path(tmp))
            no_name(text, study, f"{document}.docx")
            image.save(IMAGES / f"{document}-pages.png", optimize=True)
    print(f"Wrote the pictures in {IMAGES}")


if __name__ == "__main__":
    main()

"""Documents made for the loader tests (a PDF with a text layer, one of pictures only, as a
scanner makes), and loading one file the way the indexer does.

Every document is invented for the tests; none is ITU text.
"""

from __future__ import annotations

import io
from pathlib import Path

from assistant.ingest import sources
from assistant.ingest.sandbox import ParseLimits


def load_file(path: Path, limits: ParseLimits | None = None) -> sources.LoadedSource:
    """Load one file the way the indexer does (scan describes it, load reads it)."""
    found = {f.path: f for f in sources.scan(path.parent)}
    return sources.load(found[path], limits=limits)


def image_only_pdf(path: Path, pages: int = 2) -> Path:
    """A PDF of pictures of pages, as a scanner makes: no text layer at all."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    pdf = FPDF()
    pdf.set_subject("Invented for the tests; not ITU text.")
    for n in range(pages):
        picture = Image.new("L", (400, 560), 255)
        draw = ImageDraw.Draw(picture)
        for row in range(12):  # dark strokes where a scan has lines of type
            draw.rectangle((40, 40 + 40 * row, 360 - 7 * ((row + n) % 5), 52 + 40 * row), 0)
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG")
        pdf.add_page()
        pdf.image(buffer, x=10, y=10, w=190)
    pdf.output(str(path))
    return path


def text_pdf(path: Path, lines: list[str], *, title: str = "") -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_subject("Invented for the tests; not ITU text.")
    if title:
        pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    for line in lines:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path

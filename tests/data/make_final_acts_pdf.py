"""Typeset a final-acts test document as a PDF, with running heads and page numbers.

The layout imitates what text extraction meets in the real final acts: narrow pages, so lines
wrap mid-sentence and acts run over page breaks; a running head ("Res. 102   7" on odd pages,
"8   Res. 102" on even ones) at each page top and a bare page number at each foot.

    python tests/data/make_final_acts_pdf.py tests/data/final-acts-sample.txt out.pdf
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from fpdf import FPDF

_HEADING = re.compile(r"^(?:(?:ADD|MOD|SUP)\s+)?(RESOLUTION|DECISION)\s+(\S+)\s*\(")


class _FinalActsPDF(FPDF):
    running_head = ""

    def header(self) -> None:
        self.set_font("Helvetica", size=8)
        page = self.page_no()
        head = f"{self.running_head}   {page}" if page % 2 else f"{page}   {self.running_head}"
        self.cell(0, 5, head.strip(), new_x="LMARGIN", new_y="NEXT")
        self.set_font("Helvetica", size=10)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 5, str(self.page_no()), align="C")


def write_pdf(text: str, path: Path) -> None:
    """Write `text` (one paragraph a line, as `clean_text` gives it) to the PDF `path`."""
    pdf = _FinalActsPDF(format=(105, 148))  # A6: many page breaks
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in text.splitlines():
        # Core fonts are latin-1 only; the test documents are ASCII, this guards edits.
        line = line.encode("latin-1", "replace").decode("latin-1")
        if m := _HEADING.match(line):
            abbreviation = "Res." if m.group(1) == "RESOLUTION" else "Dec."
            pdf.running_head = f"{abbreviation} {m.group(2)}"
        if not line.strip():
            pdf.ln(4)
            continue
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


if __name__ == "__main__":
    write_pdf(Path(sys.argv[1]).read_text(encoding="utf-8"), Path(sys.argv[2]))

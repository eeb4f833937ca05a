"""Page maps: the cost of carrying page starts through final-acts cleaning, and their accuracy.

    .venv/bin/python benchmarks/pages.py [--copies 60]

Typesets the invented final-acts sample (tests/data) `--copies` times over as one PDF, with
running heads and page numbers, extracts it with pypdf, cleans it as indexing does, and times
`pages.carry` (word alignment of the raw pages with the cleaned text). Accuracy: each line of
the cleaned text is looked up, by its opening letters, in the raw pages; the share whose page
the map gives right is printed. Writes benchmarks/results/pages.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from data.make_final_acts_pdf import write_pdf  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from assistant.index.pages import PageMap, carry, join_pages  # noqa: E402
from assistant.ingest.finalacts import clean_text  # noqa: E402


def _letters(text: str) -> str:
    return re.sub(r"\W", "", text).lower()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=60)
    args = parser.parse_args()
    sample = (ROOT / "tests" / "data" / "final-acts-sample.txt").read_text("utf-8")
    acts = sample.split("\n", 2)[2]  # without the test-document line, repeated as more acts
    text = sample + "\n".join(
        re.sub(r"RESOLUTION (\d+)", lambda m, n=n: f"RESOLUTION {int(m[1]) + 1000 * (n + 1)}", acts)
        for n in range(args.copies - 1)
    )
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "acts.pdf"
        write_pdf(text, path)
        pages = [p.extract_text() or "" for p in PdfReader(io.BytesIO(path.read_bytes())).pages]
    raw, starts = join_pages(pages)
    cleaned = clean_text(raw)
    began = time.perf_counter()
    mapped = carry(PageMap(starts), raw, cleaned)
    seconds = time.perf_counter() - began
    letters = [_letters(p) for p in pages]
    joined = "".join(letters)
    offsets = [sum(len(x) for x in letters[:i]) for i in range(len(letters))]
    checked = right = 0
    at = 0
    for line in cleaned.split("\n"):
        key = _letters(line)[:40]
        start = cleaned.index(line, at) if line else at
        at = start + len(line)
        if len(key) < 20 or joined.count(key) != 1:
            continue
        found = joined.index(key)
        truth = max(i + 1 for i, s in enumerate(offsets) if s <= found)
        checked += 1
        right += mapped.page_at(start) == truth
    result = {
        "pages": len(pages),
        "raw_chars": len(raw),
        "cleaned_chars": len(cleaned),
        "carry_seconds": round(seconds, 3),
        "lines_checked": checked,
        "lines_right": right,
        "load_avg_1m": os.getloadavg()[0],
    }
    out = ROOT / "benchmarks" / "results" / "pages.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

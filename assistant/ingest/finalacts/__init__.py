"""Final acts of the ITU Plenipotentiary Conference: detect them, undo their layout, parse them.

`grammar` (marks, headings, block verbs, labels), `layout` (PDF lines, running text, bullets,
footnotes -> one unit per line, via `running` and `ingest.footnotes`), `acts` (acts, clauses,
annexes, footnotes and their segments). Data flows grammar -> layout -> acts.
"""

from assistant.ingest.finalacts.acts import (
    Act,
    Clause,
    final_acts_segments,
    looks_like_final_acts,
    parse_final_acts,
    summary,
)
from assistant.ingest.finalacts.layout import clean_text

__all__ = [
    "Act",
    "Clause",
    "clean_text",
    "final_acts_segments",
    "looks_like_final_acts",
    "parse_final_acts",
    "summary",
]

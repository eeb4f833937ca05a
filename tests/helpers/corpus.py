"""Generated sources for the crash and load tests: many small invented commentaries.

Every file is about an invented treaty with its own made-up words, so a question that names
them retrieves that file even with the keyword-hashing fake embeddings. Deterministic: the same
`version` always writes the same bytes.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SYLLABLES = [
    "ka",
    "ro",
    "mi",
    "tel",
    "vor",
    "sa",
    "lun",
    "pri",
    "dex",
    "tra",
    "gon",
    "bel",
    "ur",
    "zan",
    "co",
    "du",
    "qui",
    "fen",
    "mo",
    "ash",
]
FILLER = [
    "Delegations debated the text for several days before the committee agreed on a compromise.",
    "Observers noted that the smaller states had pressed hardest for the change.",
    "The secretariat was asked to report on the implementation at the next session.",
    "Several speakers warned that the budget would not cover every activity in the plan.",
    "Civil-society groups welcomed the outcome but asked for more transparency in the process.",
    "The chair thanked the regional groups for their patience during the long night sessions.",
    "A footnote records the reservations of two delegations on the final wording.",
    "The working party will meet twice a year and publish its findings on the public website.",
]
FILES = 20
PARAGRAPHS = 6


def name(i: int, salt: str = "") -> str:
    """An invented word, the same for the same (i, salt)."""
    rng = random.Random(f"{salt}{i}")
    return "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()


def treaty(i: int) -> str:
    """The invented treaty that file `i` describes."""
    return f"{name(i, 'treaty')} Accord"


def fact(i: int, version: int = 1) -> str:
    """The one sentence of file `i` that answers "Who signed the <treaty>?"."""
    signers = name(i, f"signers{version}")
    return f"The {treaty(i)} was signed by the {signers} cooperatives of the northern valleys."


def document(i: int, version: int = 1) -> str:
    """The text of file `i` at `version` (versions differ in their facts and length)."""
    rng = random.Random(f"doc{i}-{version}")
    lines = [
        f"Notes on the {treaty(i)}",
        "",
        "Invented commentary generated for the crash and load tests.",
        "",
    ]
    paragraphs = PARAGRAPHS + (version - 1) * (i % 3) - (1 if version > 1 and i % 4 == 0 else 0)
    for p in range(paragraphs):
        lines += [f"## Session {p + 1} on the {treaty(i)}", ""]
        body = [fact(i, version)] if p == 0 else []
        body += [f"In session {p + 1} the {name(i * 31 + p, 'topic')} question came up."]
        body += rng.sample(FILLER, 4)
        lines += [" ".join(body), ""]
    return "\n".join(lines)


def write_corpus(folder: Path, version: int = 1) -> Path:
    """Write the sources of `version` into `folder` (created) and return it.

    Version 2 differs from version 1 the way a real week of edits does: some files changed
    (longer or shorter), two removed, three added, one sidecar title changed, and one file that
    cannot be read (empty) in both.
    """
    folder.mkdir(parents=True, exist_ok=True)
    ids = list(range(FILES))
    if version > 1:
        ids = [i for i in ids if i not in (3, 11)] + [FILES, FILES + 1, FILES + 2]
    for i in ids:
        (folder / f"treaty-{i:02d}.md").write_text(document(i, version_of(i, version)), "utf-8")
    title = "Sidecar title, edited" if version > 1 else "Sidecar title"
    (folder / "treaty-07.md.meta.json").write_text(json.dumps({"title": title}), "utf-8")
    (folder / "empty.txt").write_bytes(b"")
    return folder


def version_of(i: int, version: int) -> int:
    """The version of file `i`'s text in corpus `version` (only some files change)."""
    return 2 if version > 1 and i % 5 == 0 else 1


def question(i: int, version: int = 1) -> str:
    """A question only file `i` answers, in words no other file has (so keyword search alone
    finds it, whatever the approximate vector search returns)."""
    signers = name(i, f"signers{version_of(i, version)}")
    return f"Tell me about {name(i, 'treaty')} and {signers}."

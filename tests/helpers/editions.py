"""The two invented editions of tests/data/editions/, copied into a sources folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from fakes import KeywordEmbeddings

from assistant import Assistant

EDITIONS = Path(__file__).resolve().parents[1] / "data" / "editions"
OLD, NEW = "final-acts-2010.txt", "final-acts-2014.txt"


def copy_editions(folder: Path) -> Path:
    """The two invented editions (not their README) in `folder`, which is returned."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in (OLD, NEW):
        shutil.copy2(EDITIONS / name, folder / name)
    return folder


def editions_assistant(root: Path) -> Assistant:
    """A fake-embedding assistant under `root` over the two editions."""
    return Assistant.open(
        sources=copy_editions(root / "sources"),
        index=root / "index",
        embeddings=KeywordEmbeddings(),
    )

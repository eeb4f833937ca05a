"""The catalog (issue #18): its generation, one integer that grows with every committed source
change, which a process serving questions reads to notice the index changed under it (item 3);
and a source it cannot store, refused as that source's failure (item 1).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import SourceError
from assistant.index.catalog import Catalog, SourceRow
from assistant.schema import Chunk, Sentence


def row(source: str) -> SourceRow:
    return SourceRow(source, "digest", "Title", "commentary", "commentary", {}, 1)


def chunk(source: str, n: int) -> Chunk:
    text = "The Zorblat accord was signed by the harbour pilots."
    sentence = Sentence(f"{source}:{n}:0", text, 0, len(text))
    return Chunk(
        f"{source}:{n}", source, text, 0, len(text), "¶1", "commentary", "G", "", (sentence,)
    )


def test_every_source_change_grows_the_generation(tmp_path: Path) -> None:
    writer, reader = Catalog(tmp_path), Catalog(tmp_path)  # two connections, as two processes
    assert reader.generation() == 0
    writer.put_source(row("a.txt"), "text", [chunk("a.txt", 0)])
    assert reader.generation() == 1
    writer.put_source(row("b.txt"), "text", [chunk("b.txt", 0)])
    writer.remove_source("a.txt")
    assert reader.generation() == 3
    # Settings and remembered refusals change nothing a reader has cached.
    writer.set_meta({"embedding_model": "m"})
    writer.set_refusals({"bad.docx": ("d", "not a valid .docx")})
    assert reader.generation() == 3
    assert reader.get_meta() == {"embedding_model": "m"}  # not a setting
    assert reader.refusals() == {"bad.docx": ("d", "not a valid .docx")}
    writer.clear()  # a rebuild: forgets everything, the generation still grows
    assert reader.generation() == 4 and reader.refusals() == {} and reader.get_meta() == {}
    writer.close()
    reader.close()


def test_a_failed_change_does_not_grow_it(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    catalog.put_source(row("a.txt"), "text", [chunk("a.txt", 0)])
    clash = chunk("a.txt", 0)  # its id exists: the transaction fails and rolls back
    with pytest.raises(Exception):  # noqa: B017 - any sqlite error; the point is the rollback
        catalog.put_source(row("b.txt"), "text", [clash])
    assert catalog.generation() == 1
    catalog.close()


def test_a_text_that_cannot_be_stored_is_the_source_failure(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    bad = SourceRow("a.txt", "digest", "Title \ud800", "commentary", "commentary", {}, 1)
    with pytest.raises(SourceError, match=r"^a\.txt: .*cannot be stored"):
        catalog.put_source(bad, "text", [chunk("a.txt", 0)])
    assert catalog.sources() == [] and catalog.generation() == 0
    catalog.close()

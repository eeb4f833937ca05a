"""Finding a copy from the catalog's fingerprints: the same answers as reading every text, while
reading only the texts whose fingerprints could be a near copy's.

The texts are invented: random words from a small vocabulary, so unrelated texts share many
common five-word phrases only by chance, and near copies are made by editing a few words.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from assistant.index import fingerprints
from assistant.index.catalog import Catalog, SourceRow
from assistant.ingest.duplicates import Copy, find_copy

VOCABULARY = [f"w{i}" for i in range(60)] + ["the", "of", "and", "to", "in"] * 8


def text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(words)) + "."


def edited(rng: random.Random, base: str, changes: int) -> str:
    words = base.rstrip(".").split()
    for _ in range(changes):
        words[rng.randrange(len(words))] = rng.choice(["harbour", "pier", "quay"])
    return " ".join(words) + "."


def put(catalog: Catalog, source: str, body: str) -> None:
    catalog.put_source(
        SourceRow(source, f"d-{source}", source, "commentary", "plain", {}, 0), body, []
    )


def reference(catalog: Catalog, new: str, besides: str = "") -> Copy | None:
    """What find_copy answered before fingerprints: every indexed text read and compared."""
    digest, mine = fingerprints.text_digest(new), fingerprints.words(new)
    near: Copy | None = None
    for source, other in catalog._db.execute("SELECT id, text FROM sources ORDER BY id"):
        if source == besides:
            continue
        if fingerprints.text_digest(other) == digest:
            return Copy(source, exact=True)
        theirs = fingerprints.words(other)
        if near is None and (
            theirs == mine
            or fingerprints.overlap(fingerprints.shingles(mine), fingerprints.shingles(theirs))
            >= fingerprints.NEAR_OVERLAP
        ):
            near = Copy(source, exact=False)
    return near


def overlap(new: str, theirs: list[str]) -> float:
    mine = fingerprints.shingles(fingerprints.words(new))
    return fingerprints.overlap(mine, fingerprints.shingles(theirs))


class CountingCatalog(Catalog):
    """A catalog that counts the texts read from it."""

    read = 0

    def text(self, source: str) -> str | None:
        self.read += 1
        return super().text(source)


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[CountingCatalog, list[str]]:
    rng = random.Random(7)
    catalog = CountingCatalog(tmp_path / "index")
    bodies = [text(rng, rng.choice([8, 40, 300, 600])) for _ in range(40)]
    for i, body in enumerate(bodies):
        put(catalog, f"s{i:02d}.md", body)
    return catalog, bodies


def test_every_copy_found_is_the_one_reading_every_text_finds(
    corpus: tuple[CountingCatalog, list[str]],
) -> None:
    catalog, bodies = corpus
    rng = random.Random(11)
    checked = {"exact": 0, "near": 0, "none": 0}
    closest = 1.0  # the lowest overlap of a near copy found: near the threshold, not above it
    for base in bodies:
        for changes in [0, *range(1, 16), 40, 120]:
            new = edited(rng, base, changes) if changes else base
            got, want = find_copy(catalog, new), reference(catalog, new)
            assert got == want, (changes, len(base.split()))
            checked["none" if want is None else "exact" if want.exact else "near"] += 1
            if want is not None and not want.exact:
                theirs = fingerprints.words(catalog.text(want.source) or "")
                closest = min(closest, overlap(new, theirs))
        folded = base.upper().replace(" ", "  ")  # same words, other case and spacing
        assert find_copy(catalog, folded) == reference(catalog, folded)
    assert min(checked.values()) >= 20, checked  # each answer is exercised
    assert closest < fingerprints.NEAR_OVERLAP + 0.02


def test_a_source_is_not_its_own_copy(corpus: tuple[CountingCatalog, list[str]]) -> None:
    catalog, bodies = corpus
    assert find_copy(catalog, bodies[3], besides="s03.md") is None
    put(catalog, "again.md", bodies[3])
    assert find_copy(catalog, bodies[3], besides="s03.md") == Copy("again.md", exact=True)


def test_an_unrelated_text_reads_no_indexed_text(
    corpus: tuple[CountingCatalog, list[str]],
) -> None:
    catalog, _ = corpus
    catalog.read = 0
    assert find_copy(catalog, text(random.Random(99), 400)) is None
    assert catalog.read == 0
    near = edited(random.Random(5), catalog.text("s07.md") or "", 2)
    catalog.read = 0
    found = find_copy(catalog, near)
    assert found is not None and not found.exact
    assert catalog.read <= 2  # the near copy itself, and at most one chance candidate


def test_fingerprints_follow_the_sources(corpus: tuple[CountingCatalog, list[str]]) -> None:
    catalog, bodies = corpus
    db = catalog._db
    assert db.execute("SELECT count(*) FROM prints").fetchone()[0] == 40
    catalog.remove_source("s05.md")
    put(catalog, "s06.md", "a new text of s06")  # replaced: its old fingerprint goes
    assert find_copy(catalog, bodies[5]) is None
    assert find_copy(catalog, bodies[6]) is None
    assert db.execute("SELECT count(*) FROM print_hashes WHERE source = 's05.md'").fetchone() == (
        0,
    )
    catalog.clear()
    assert db.execute("SELECT count(*) FROM prints").fetchone() == (0,)
    assert db.execute("SELECT count(*) FROM print_hashes").fetchone() == (0,)


def test_an_index_from_before_fingerprints_is_fingerprinted_once(
    corpus: tuple[CountingCatalog, list[str]],
) -> None:
    catalog, bodies = corpus
    with catalog._db:  # as an index written before fingerprints were kept
        catalog._db.execute("DELETE FROM print_hashes")
        catalog._db.execute("DELETE FROM prints")
    assert find_copy(catalog, bodies[9]) == Copy("s09.md", exact=True)
    near = edited(random.Random(3), bodies[12], 1)
    assert find_copy(catalog, near) == reference(catalog, near)
    assert catalog._db.execute("SELECT count(*) FROM prints").fetchone() == (40,)


def test_an_old_catalog_file_gains_the_fingerprint_tables(tmp_path: Path) -> None:
    index = tmp_path / "index"
    put(Catalog(index), "a.md", "one two three four five six seven")
    db = sqlite3.connect(index / "catalog.sqlite")
    with db:
        db.execute("DROP TRIGGER prints_forgotten")
        db.execute("DROP TABLE print_hashes")
        db.execute("DROP TABLE prints")
    db.close()
    reopened = Catalog(index)
    assert find_copy(reopened, "One two three four five six seven") == Copy("a.md", exact=False)
    reopened.remove_source("a.md")
    assert reopened._db.execute("SELECT count(*) FROM prints").fetchone() == (0,)


@pytest.mark.parametrize("size", [1, 2, 5, 9, 10, 37, 100, 499])
def test_prefixes_meet_even_when_the_unshared_hashes_are_the_smallest(size: int) -> None:
    """The worst case of prefix filtering: two sets exactly at the threshold whose unshared
    hashes all sort first, so the shared ones are as late in each prefix as they can be."""
    for extra_a in range(size // 3 + 1):
        for extra_b in range(size // 3 + 1):
            union = size + extra_a + extra_b
            if size / union < fingerprints.NEAR_OVERLAP:
                continue
            shared = range(1000, 1000 + size)
            a = fingerprints.Fingerprint("a", (*range(extra_a), *shared))
            b = fingerprints.Fingerprint("b", (*range(100, 100 + extra_b), *shared))
            met = len(set(a.prefix()) & set(b.prefix()))
            assert met >= a.needed(), (size, extra_a, extra_b)
            assert met >= b.needed(), (size, extra_a, extra_b)


def test_the_same_question_of_an_unchanged_catalog_is_answered_from_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(7)
    catalog = Catalog(tmp_path / "index")
    base = text(rng, 300)
    put(catalog, "a.md", base)
    asked: list[str] = []
    copies = Catalog.copies

    def counted(self: Catalog, body: str, besides: str = "") -> tuple[str | None, list[str]]:
        asked.append(besides)
        return copies(self, body, besides)

    monkeypatch.setattr(Catalog, "copies", counted)
    near = edited(rng, base, 3)
    assert find_copy(catalog, near) == Copy("a.md", exact=False)  # as `assistant add` checks
    assert find_copy(catalog, near, besides="new.md") == Copy("a.md", exact=False)  # the sync
    assert asked == [""]  # "new.md" is not indexed: the same question, answered once
    put(catalog, "b.md", text(rng, 300))  # a committed change: asked again
    assert find_copy(catalog, near, besides="new.md") == Copy("a.md", exact=False)
    assert find_copy(catalog, near, besides="a.md") is None  # another question
    assert asked == ["", "", "a.md"]

"""Editions of an act and their comparison, over the two invented editions in
tests/data/editions/ (their README lists the planted changes this file expects, and no other)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import KeywordEmbeddings
from helpers.editions import NEW, OLD, copy_editions, editions_assistant

from assistant import Assistant
from assistant.answering.compare import align, word_diff
from assistant.answering.editions import Item, parse_label, split_locator
from assistant.errors import AssistantError, EditionError
from assistant.schema import Change, Comparison


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    opened = editions_assistant(tmp_path_factory.mktemp("editions"))
    yield opened
    opened.close()


def changes(comparison: Comparison) -> set[tuple[str, str, str, str]]:
    """(kind, block, old item, new item) of every change that is not "unchanged"."""
    return {(c.kind, c.block, c.old_item, c.new_item) for c in comparison.changed}


def check_quotes(assistant: Assistant, change: Change) -> None:
    for side in (change.old, change.new):
        if side is not None:
            text = assistant.source_text(side.source)
            assert text is not None and text[side.start : side.end] == side.quote
            assert side.quote.strip()


def test_each_act_records_its_number_edition_and_document(assistant: Assistant) -> None:
    acts = {s.id: s for s in assistant.sources() if s.parent}
    old = acts[f"{OLD}#Resolution 130 (Rev. Guadalajara, 2010)"]
    new = acts[f"{NEW}#Resolution 130 (Rev. Busan, 2014)"]
    assert (old.edition, old.parent, new.edition, new.parent) == (
        "Rev. Guadalajara, 2010",
        OLD,
        "Rev. Busan, 2014",
        NEW,
    )
    # The two editions are linked both ways; an act held once links to nothing.
    assert old.editions == [new.id] and new.editions == [old.id]
    assert acts[f"{NEW}#Resolution 978 (Busan, 2014)"].editions == []
    assert acts[f"{NEW}#Resolution 978 (Busan, 2014)"].edition == "Busan, 2014"


def test_labels_parse_into_editions() -> None:
    e = parse_label("Decision 11 (Rev. Busan, 2014)", "f.txt")
    assert e is not None
    assert (e.kind, e.number, e.edition, e.year, e.act) == (
        "decision",
        "11",
        "Rev. Busan, 2014",
        2014,
        "Decision 11",
    )
    assert parse_label("Cybersecurity and surveillance", "c.txt") is None
    assert split_locator("Resolution 1 (Busan, 2014) › resolves 3bis") == ("resolves", "3bis")
    assert split_locator("Resolution 1 (Busan, 2014) › invites Member States") == (
        "invites Member States",
        "",
    )


def test_compare_finds_every_planted_change_in_resolution_130(assistant: Assistant) -> None:
    comparison = assistant.compare("Resolution 130")
    assert (comparison.act, comparison.old_edition, comparison.new_edition) == (
        "Resolution 130",
        "Rev. Guadalajara, 2010",
        "Rev. Busan, 2014",
    )
    assert changes(comparison) == {
        ("added", "recalling", "", "c)"),
        ("modified", "considering", "b)", "b)"),
        ("removed", "considering", "c)", ""),
        ("added", "resolves", "", "2"),
        ("moved", "resolves", "2", "3"),
        ("moved", "resolves", "3", "4"),
    }
    unchanged = [(c.block, c.new_item) for c in comparison.changes if c.kind == "unchanged"]
    assert unchanged == [
        ("title", ""),
        ("recalling", "a)"),
        ("recalling", "b)"),  # only its final ";" differs
        ("considering", "a)"),
        ("resolves", "1"),
        ("instructs the Secretary-General", ""),
        ("invites Member States", ""),
    ]
    for change in comparison.changes:
        check_quotes(assistant, change)
        assert (change.old is None) == (change.kind == "added")
        assert (change.new is None) == (change.kind == "removed")
    markers = [s.marker for c in comparison.changes for s in (c.old, c.new) if s]
    assert markers == list(range(1, len(markers) + 1))


def test_a_modified_item_carries_its_word_diff(assistant: Assistant) -> None:
    comparison = assistant.compare("130")
    [modified] = [c for c in comparison.changes if c.kind == "modified"]
    assert [w for op, w in modified.diff if op == "+"] == ["and high winds", "often"]
    assert not [w for op, w in modified.diff if op == "-"]
    moved = [c for c in comparison.changes if c.kind == "moved"]
    assert all(c.diff == () for c in moved)  # renumbered, same words
    assert modified.old is not None and modified.old.source == OLD
    assert modified.new is not None and modified.new.source == NEW
    assert modified.new.locator == "Resolution 130 (Rev. Busan, 2014) › considering b)"


def test_small_revisions_are_found_and_nothing_else(assistant: Assistant) -> None:
    assert changes(assistant.compare("Resolution 101")) == {("modified", "noting", "a)", "a)")}
    assert changes(assistant.compare("Res. 102")) == {("added", "resolves", "", "3")}


def test_an_act_id_names_its_act(assistant: Assistant) -> None:
    comparison = assistant.compare(f"{OLD}#Resolution 101 (Rev. Guadalajara, 2010)")
    assert comparison.act == "Resolution 101" and len(comparison.changed) == 1


def test_editions_can_be_named_and_swapped(assistant: Assistant) -> None:
    back = assistant.compare("130", old="Rev. Busan, 2014", new="Guadalajara, 2010")
    assert (back.old_edition, back.new_edition) == ("Rev. Busan, 2014", "Rev. Guadalajara, 2010")
    kinds = sorted(c.kind for c in back.changed)
    assert kinds == ["added", "modified", "moved", "moved", "removed", "removed"]
    same = assistant.compare("130", old="2010")
    assert same.new_edition == "Rev. Busan, 2014"


@pytest.mark.parametrize(
    ("act", "old", "named"),
    [
        ("Resolution 555", None, "Resolution 130"),  # not indexed: names the indexed acts
        ("Resolution 978", None, "one edition only"),
        ("130", "Antalya, 2006", "Rev. Guadalajara, 2010"),  # names the indexed editions
        ("not an act!", None, "Resolution 130"),
    ],
)
def test_what_is_not_indexed_is_named(
    assistant: Assistant, act: str, old: str | None, named: str
) -> None:
    with pytest.raises(EditionError, match=named) as caught:
        assistant.compare(act, old=old)
    assert isinstance(caught.value, AssistantError)


def item(block: str, label: str, text: str) -> Item:
    return Item(block, label, "operative", f"X › {block} {label}", 0, len(text), text)


def test_alignment_follows_the_words_not_the_labels() -> None:
    olds = [
        item("resolves", "1", "to keep a list of lofts;"),
        item("resolves", "2", "to inspect the lofts every year;"),
        item("resolves", "3", "to report to the Council."),
    ]
    # Reordered, one reworded, one new, none removed.
    news = [
        item("resolves", "1", "to report to the Council;"),
        item("resolves", "2", "to keep a list of lofts;"),
        item("resolves", "3", "to inspect the pigeon lofts every year;"),
        item("resolves", "4", "to publish the list of lofts on paper and online."),
    ]
    pairs = [(o.item if o else None, n.item if n else None) for o, n in align(olds, news, 0.5)]
    assert pairs == [("3", "1"), ("1", "2"), ("2", "3"), (None, "4")]


def test_word_diff_ignores_only_the_closing_punctuation() -> None:
    assert word_diff("to keep a list;", "to keep a list, and") == ()
    assert word_diff("to keep a list;", "to keep a short list.") == (
        ("=", "to keep a"),
        ("+", "short"),
        ("=", "list"),
    )


def test_one_edition_in_two_files_is_one_edition(tmp_path: Path) -> None:
    folder = copy_editions(tmp_path / "sources")
    (folder / "final-acts-2014-copy.txt").write_text(
        (folder / NEW).read_text("utf-8") + "\nA copy, with one more line.\n", "utf-8"
    )
    opened = Assistant.open(
        sources=folder, index=tmp_path / "index", embeddings=KeywordEmbeddings()
    )
    try:
        comparison = opened.compare("130")  # the latest two editions, not the two copies
        assert (comparison.old_edition, comparison.new_edition) == (
            "Rev. Guadalajara, 2010",
            "Rev. Busan, 2014",
        )
        assert len(comparison.changed) == 6
        assert opened.compare("130", new="Busan").new_edition == "Rev. Busan, 2014"
        with pytest.raises(
            EditionError,
            match=r"one edition only \(Busan, 2014, in final-acts-2014-copy.txt, final-acts-2014",
        ):
            opened.compare("978")
    finally:
        opened.close()

"""Exports of answers and conversations: each format parsed back with what a reader needs."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import bibtexparser

from assistant import exports
from assistant.schema import Answer, Citation, Passage

DAY = date(2026, 12, 4)
QUOTE = "that entries shall be confirmed {yearly} at 100% & more_than_once;"


def _answer() -> Answer:
    official = Citation(
        1, "acts.pdf", "Final Acts (Busan, 2014)", "Resolution 102 › resolves 2, p. 123", QUOTE,
        10, 10 + len(QUOTE), page=5, page_label="123", author="ITU",
        date="2014-11-07", url="https://example.org/final-acts", publisher="ITU Publications",
    )  # fmt: skip
    second = dataclasses.replace(official, quote="It shall be free.", start=200, end=217)
    commentary = Citation(
        2, "notes.md", "Lighthouse notes", "Registers ¶2", "The register was welcomed.", 3, 29
    )
    passages = [
        Passage(QUOTE, "acts.pdf", "Final Acts", "loc", "resolution", 1.0, 0, 300, "c1"),
        Passage("x", "notes.md", "Lighthouse notes", "Registers ¶2", "commentary", 0.5, 0, 40),
    ]
    return Answer("Confirmed yearly [1]. Welcomed [2].", [official, second, commentary], False,
                  passages)  # fmt: skip


def test_csl_items_carry_every_required_field() -> None:
    items = json.loads(json.dumps(_answer().to_csl(accessed=DAY)))
    assert [i["id"] for i in items] == ["ref1", "ref2"]
    first, second = items
    assert first["type"] == "legislation" and second["type"] == "document"
    assert first["title"] == "Final Acts (Busan, 2014)"
    assert first["author"] == [{"literal": "ITU"}]
    assert first["publisher"] == "ITU Publications"
    assert first["issued"] == {"date-parts": [[2014, 11, 7]]}
    assert first["URL"] == "https://example.org/final-acts"
    assert first["page"] == "123"
    assert first["section"] == "Resolution 102 › resolves 2"  # the page is in "page"
    assert QUOTE in first["note"] and "It shall be free." in first["note"]
    assert first["accessed"] == {"date-parts": [[2026, 12, 4]]}
    assert "author" not in second and "URL" not in second and "page" not in second


def test_bibtex_parses_with_bibtexparser() -> None:
    text = _answer().to_bibtex(accessed=DAY)
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    entries = {e.key: e.fields_dict for e in library.entries}
    assert list(entries) == ["ref1", "ref2"]
    ref1 = entries["ref1"]
    assert ref1["title"].value == "Final Acts (Busan, 2014)"
    assert ref1["author"].value == "{ITU}"
    assert ref1["publisher"].value == "ITU Publications"
    assert ref1["year"].value == "2014" and ref1["date"].value == "2014-11-07"
    assert ref1["url"].value == "https://example.org/final-acts"
    assert ref1["urldate"].value == "2026-12-04"
    assert ref1["pages"].value == "123"
    note = ref1["note"].value
    assert note.startswith("Resolution 102 › resolves 2, p. 123: ")
    assert r"\{yearly\} at 100\% \& more\_than\_once" in note  # specials escaped, braces even
    assert "author" not in entries["ref2"]


def test_json_is_the_whole_answer_and_reads_back() -> None:
    answer = _answer()
    data = json.loads(answer.to_json())
    assert data == dataclasses.asdict(answer)
    back = Answer(
        **{
            **data,
            "citations": [Citation(**c) for c in data["citations"]],
            "passages": [Passage(**p) for p in data["passages"]],
        }
    )
    assert back == answer


def test_markdown_lists_each_reference_once_with_every_quote() -> None:
    md = _answer().to_markdown()
    assert md.count("[1] Final Acts") == 1
    assert f"“{QUOTE}” … “It shall be free.”" in md
    assert "[2] Lighthouse notes — Registers ¶2" in md


def test_a_conversation_exports_in_every_format() -> None:
    turns = [("What is confirmed?", _answer()), ("And the notes?", _answer())]
    md = exports.conversation_markdown(turns, accessed=DAY)
    assert "## 1. What is confirmed?" in md and "## 2. And the notes?" in md
    assert "Final Acts (Busan, 2014). ITU. ITU Publications, 2014-11-07." in md
    assert "Accessed 2026-12-04." in md
    data = json.loads(exports.conversation_json(turns, accessed=DAY))
    assert data["accessed"] == "2026-12-04" and data["turns"][1]["question"] == "And the notes?"
    assert [i["id"] for i in exports.conversation_csl(turns, accessed=DAY)] == [
        "q1-ref1",
        "q1-ref2",
        "q2-ref1",
        "q2-ref2",
    ]
    library = bibtexparser.parse_string(exports.conversation_bibtex(turns, accessed=DAY))
    assert library.failed_blocks == [] and len(library.entries) == 4

"""Answers that can be re-checked later: the fingerprint, the JSON round trip, `verify`."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import KeywordEmbeddings
from helpers.editions import NEW, OLD, copy_editions

from assistant import Answer, Assistant

QUESTION = "What does Resolution 102 resolve about the register of lantern codes?"


@pytest.fixture
def opened(tmp_path: Path) -> Iterator[Assistant]:
    assistant = Assistant.open(
        sources=copy_editions(tmp_path / "sources"),
        index=tmp_path / "index",
        embeddings=KeywordEmbeddings(),
    )
    yield assistant
    assistant.close()


def as_json(answer: Answer) -> str:
    """What `assistant ask --json` prints."""
    return json.dumps(dataclasses.asdict(answer), ensure_ascii=False, indent=2)


def test_an_answer_records_the_digest_of_each_cited_source(opened: Assistant) -> None:
    answer = opened.ask(QUESTION)
    assert answer.citations and not answer.abstained
    digests = opened._catalog.digests()
    cited = {c.source for c in answer.citations}
    assert answer.fingerprint == {s: digests[s] for s in cited}


def test_an_answer_survives_a_json_round_trip(opened: Assistant) -> None:
    answer = opened.ask(QUESTION)
    assert Answer.from_json(as_json(answer)) == answer
    # Fields written by a newer version are skipped, missing optional ones defaulted.
    data = json.loads(as_json(answer))
    data["rating"] = 5
    data["citations"][0]["page"] = None
    del data["fingerprint"], data["notice"]
    read = Answer.from_json(json.dumps(data))
    assert read.citations == answer.citations and read.fingerprint == {}


@pytest.mark.parametrize(
    "text", ["[]", '{"citations": []}', "not json", '{"text": "x", "citations": [{"marker": 1}]}']
)
def test_what_is_not_an_answer_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        Answer.from_json(text)


def test_verify_passes_an_unchanged_answer(opened: Assistant) -> None:
    answer = Answer.from_json(as_json(opened.ask(QUESTION)))
    result = opened.verify(answer)
    assert (result.ok, result.stale, result.changed) == (True, [], [])


def test_verify_flags_a_quote_whose_source_was_edited(opened: Assistant) -> None:
    answer = opened.ask(QUESTION)
    first = answer.citations[0]
    path = opened.settings.sources / first.source
    text = path.read_text("utf-8")
    word = first.quote.split()[-2]
    assert text.count(first.quote) == 1
    path.write_text(text.replace(first.quote, first.quote.replace(word, word.upper())), "utf-8")
    opened.reindex()
    result = opened.verify(answer)
    assert not result.ok
    assert first.marker in result.stale
    others = [c.marker for c in answer.citations if c.source != first.source]
    assert not set(others) & set(result.stale)
    assert result.changed == [first.source]


def test_an_edit_elsewhere_in_the_source_keeps_the_quotes(opened: Assistant) -> None:
    answer = opened.ask(QUESTION)
    for name in (OLD, NEW):  # an act appended after every quoted clause
        path = opened.settings.sources / name
        path.write_text(path.read_text("utf-8") + "\nA line added at the end.\n", "utf-8")
    opened.reindex()
    result = opened.verify(answer)
    assert result.ok and result.stale == []
    assert sorted(result.changed) == sorted({c.source for c in answer.citations})


def test_a_removed_source_makes_its_quotes_stale(opened: Assistant) -> None:
    answer = opened.ask(QUESTION)
    gone = answer.citations[0].source
    opened.remove_source(gone)
    result = opened.verify(answer)
    assert not result.ok
    assert result.stale == sorted({c.marker for c in answer.citations if c.source == gone})

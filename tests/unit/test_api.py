"""The public Python API: Assistant.open / ask / stream / retrieve / add_source / sources.

Fake embeddings here (fast, deterministic, counting calls); the same API over the session's
`real_assistant` (the packaged MiniLM model), where ranking quality matters, is tested in
tests/integration/test_api_real_model.py.
"""

from __future__ import annotations

import dataclasses
import random
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import docs_assistant
from fakes import KeywordEmbeddings
from helpers.citations import check_citations

import assistant as package
from assistant import (
    Answer,
    Assistant,
    AssistantError,
    Citation,  # noqa: F401 - test_public_names looks it up in globals()
    IndexReport,
    Passage,
    SourceInfo,
    errors,
)
from assistant.answering.retrieve import Retrieval
from assistant.answering.turn import Turn
from assistant.errors import QuestionError, SourceError
from assistant.ingest.naming import safe_target

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs"
COMMENTARY = "itu-plenipot-2014-impressions.txt"
NOTES = "lighthouse-notes.md"
ACTS = "final-acts-sample.txt"
LIGHTHOUSE_QUESTION = "Was the fund for the lighthouse keepers approved?"
QUESTIONS = [
    LIGHTHOUSE_QUESTION,
    "Which coalition submitted a letter on transparency?",
    "Who is the register of balloon beacons open to?",
    "What is the weather in Busan today?",
]


@pytest.fixture(scope="module")
def shared_embeddings() -> KeywordEmbeddings:
    return KeywordEmbeddings()


@pytest.fixture(scope="module")
def shared(
    tmp_path_factory: pytest.TempPathFactory, shared_embeddings: KeywordEmbeddings
) -> Iterator[Assistant]:
    """A read-only fake-embedding assistant over the shipped sources and the test documents."""
    assistant = docs_assistant(tmp_path_factory.mktemp("api"), shared_embeddings)
    yield assistant
    assistant.close()


# -- surface --------------------------------------------------------------------------------


def test_public_names() -> None:
    # The surface is what __all__ says: every public name the package defines is in it, each
    # is documented in code and in the README, and the tests here use the same objects.
    defined = sorted(n for n in vars(package) if not n.startswith("_") and n[0].isupper())
    assert package.__all__ == sorted(package.__all__) == defined
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    for name in package.__all__:
        obj = getattr(package, name)
        assert obj.__doc__, f"{name} has no docstring"
        assert f"`{name}`" in readme or f"{name}(" in readme or f"{name}." in readme, name
        assert obj is globals()[name]


def test_every_error_is_an_assistant_error() -> None:
    raised = [
        v
        for v in vars(errors).values()
        if isinstance(v, type) and issubclass(v, Exception) and v.__module__ == errors.__name__
    ]
    assert len(raised) >= 8
    assert all(issubclass(e, AssistantError) for e in raised)
    assert issubclass(QuestionError, AssistantError)


# -- questions ------------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["", "   ", "\n\t "])
def test_empty_question(shared: Assistant, question: str) -> None:
    with pytest.raises(QuestionError):
        shared.ask(question)
    with pytest.raises(QuestionError):
        shared.retrieve(question)
    with pytest.raises(QuestionError):
        list(shared.stream(question))


@pytest.mark.parametrize("question", [None, 42, b"bytes", ["a", "list"]])
def test_question_that_is_not_a_string(shared: Assistant, question: object) -> None:
    with pytest.raises(TypeError):
        shared.ask(question)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        shared.retrieve(question)  # type: ignore[arg-type]


def test_very_long_question(shared: Assistant) -> None:
    rng = random.Random(5)
    words = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
        for _ in range(20_000)
    ]
    question = ("Who can take part in CWG-Internet? " + " ".join(words))[:100_000]
    assert len(question) == 100_000
    began = time.perf_counter()
    answer = shared.ask(question)
    assert time.perf_counter() - began < 10
    assert isinstance(answer, Answer)
    assert answer.notice is not None and "100000" in answer.notice
    assert str(shared.settings.max_question_chars) in answer.notice
    assert answer.notice in answer.to_markdown()
    check_citations(shared, answer)


def test_answer_with_citations(shared: Assistant) -> None:
    answer = shared.ask(LIGHTHOUSE_QUESTION)
    assert not answer.abstained
    assert answer.citations and answer.citations[0].source == NOTES
    assert answer.citations[0].title == "Lighthouse keepers and the conference"
    assert answer.citations[0].locator.startswith("Funding the lighthouses ¶")
    assert "approved" in " ".join(c.quote for c in answer.citations)
    assert all(isinstance(p, Passage) for p in answer.passages)
    check_citations(shared, answer)
    markdown = answer.to_markdown()
    assert "**References**" in markdown and answer.citations[0].quote in markdown


@pytest.mark.parametrize("question", QUESTIONS)
def test_citations_are_verbatim(shared: Assistant, question: str) -> None:
    check_citations(shared, shared.ask(question))


def test_abstention_names_the_closest_sources(shared: Assistant) -> None:
    # No source has any of these words. (How close to the edge the fake embeddings come on
    # "the weather in Busan" depends on calibration for the real model; see the slow tests.)
    answer = shared.ask("Which xylophone quartets toured Zanzibar?")
    assert answer.abstained and answer.citations == []
    assert answer.text.startswith("The sources do not answer this question")
    # The question's names that no source contains are named as what is missing.
    assert "no indexed source mentions “Zanzibar”" in answer.text
    titles = {s.title for s in shared.sources()}
    assert any(title in answer.text for title in titles)


def test_ask_makes_exactly_one_model_call(
    shared: Assistant, shared_embeddings: KeywordEmbeddings
) -> None:
    for call in (
        lambda: shared.ask(LIGHTHOUSE_QUESTION),
        lambda: shared.ask("What is the weather in Busan today?"),
        lambda: shared.ask(
            "Who can take part in it?",
            history=[{"role": "user", "content": "What is CWG-Internet?"}],
        ),
        lambda: list(shared.stream(LIGHTHOUSE_QUESTION)),
        lambda: shared.retrieve(LIGHTHOUSE_QUESTION),
    ):
        shared_embeddings.reset()
        call()
        assert shared_embeddings.query_calls == 1
        assert shared_embeddings.document_calls == 0


def test_stream_yields_text_then_one_answer(shared: Assistant) -> None:
    for question in (LIGHTHOUSE_QUESTION, "What is the weather in Busan today?"):
        parts = list(shared.stream(question))
        *pieces, final = parts
        assert isinstance(final, Answer)
        assert pieces and all(isinstance(p, str) for p in pieces)
        assert "".join(pieces).strip() == final.text
        assert final == shared.ask(question)


def test_kinds_filter(shared: Assistant) -> None:
    question = "Who is the register of balloon beacons open to?"
    unfiltered = shared.retrieve(question, k=5)
    assert unfiltered[0].source == ACTS
    for kinds in (["commentary"], ["resolution"], ["decision"], ["resolution", "decision"]):
        passages = shared.retrieve(question, k=5, kinds=kinds)
        assert passages and {p.kind for p in passages} <= set(kinds)
        answer = shared.ask(question, kinds=kinds)
        assert {p.kind for p in answer.passages} <= set(kinds)
        check_citations(shared, answer)
    answer = shared.ask(question, kinds=["commentary"])
    assert all(c.source != ACTS for c in answer.citations)
    with pytest.raises(AssistantError, match="no-such-kind"):  # #13: not a silent []
        shared.retrieve(question, k=5, kinds=["no-such-kind"])


def test_sources_filter(shared: Assistant) -> None:
    passages = shared.retrieve(LIGHTHOUSE_QUESTION, k=5, sources=[COMMENTARY])
    assert passages and {p.source for p in passages} == {COMMENTARY}


def test_retrieve_returns_k_passages(shared: Assistant) -> None:
    passages = shared.retrieve("internet governance", k=3)
    assert len(passages) == 3
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
    for p in passages:
        assert shared.source_text(p.source)[p.start : p.end] == p.text  # type: ignore[index]


def test_follow_up_uses_history(shared: Assistant) -> None:
    history = [
        {"role": "user", "content": "Tell me about the lighthouse keepers' fund."},
        {"role": "assistant", "content": "They asked for one."},
    ]
    answer = shared.ask("Was it approved?", history=history)
    assert answer.citations and answer.citations[0].source == NOTES
    # Odd history entries are ignored rather than crashing.
    odd = [None, "text", {"role": "user"}, {"content": "no role"}, *history]
    assert shared.ask("Was it approved?", history=odd) == answer  # type: ignore[list-item]


class KeepOneSource:
    """A reranker that keeps only the passages of one source, and records the turns it saw."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.turns: list[Turn] = []

    def rerank(self, turn: Turn, retrieval: Retrieval) -> Retrieval:
        self.turns.append(turn)
        passages = [p for p in retrieval.passages if p.source == self.source]
        chunks = {i: c for i, c in retrieval.chunks.items() if c.source == self.source}
        return dataclasses.replace(retrieval, passages=passages, chunks=chunks)


def test_a_reranker_plugs_in_and_sees_the_turn(
    sources_dir: Path, tmp_path: Path, keyword_embeddings: KeywordEmbeddings
) -> None:
    for path in DOCS.iterdir():
        shutil.copy2(path, sources_dir / path.name)
    reranker = KeepOneSource(COMMENTARY)
    opened = Assistant.open(
        sources=sources_dir,
        index=tmp_path / "index",
        embeddings=keyword_embeddings,
        reranker=reranker,
    )
    try:
        history = [{"role": "user", "content": "Tell me about the lighthouse keepers' fund."}]
        answer = opened.ask("Was it approved?", history=history)
    finally:
        opened.close()
    # The lighthouse notes hold the answer (test_follow_up_uses_history), but the reranker
    # removed them before the answerer read anything.
    assert {p.source for p in answer.passages} == {COMMENTARY}
    assert {c.source for c in answer.citations} <= {COMMENTARY}
    (turn,) = reranker.turns
    assert turn.text == "Was it approved?"
    assert turn.is_follow_up and "lighthouse" in turn.query


# -- sources --------------------------------------------------------------------------------


def test_sources_rows(shared: Assistant) -> None:
    rows = shared.sources()
    assert all(isinstance(r, SourceInfo) for r in rows)
    top = {r.id: r for r in rows if r.parent is None}
    assert sorted(top) == [ACTS, COMMENTARY, NOTES]
    assert top[COMMENTARY].title == "ITU Plenipotentiary 2014: Impressions and analysis of outcomes"
    assert top[COMMENTARY].kind == "commentary" and top[COMMENTARY].chunks > 30
    assert top[ACTS].kind == "final-acts"
    children = [r for r in rows if r.parent == ACTS]
    assert [(r.title, r.kind) for r in children] == [
        ("Resolution 999 (Busan, 2014)", "resolution"),
        ("Decision 77 (Rev. Busan, 2014)", "decision"),
    ]
    assert all(r.id == f"{ACTS}#{r.title}" for r in children)
    assert sum(r.chunks for r in children) == top[ACTS].chunks
    # A child follows its parent directly.
    ids = [r.id for r in rows]
    assert ids.index(children[0].id) == ids.index(ACTS) + 1


def test_source_text(shared: Assistant) -> None:
    text = shared.source_text(COMMENTARY)
    assert text is not None and "CWG-Internet" in text
    assert shared.source_text("no-such-source.txt") is None


def test_add_source_missing_path(fake_assistant: Assistant, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="nowhere.pdf"):
        fake_assistant.add_source(tmp_path / "nowhere.pdf")
    with pytest.raises(SourceError):
        fake_assistant.add_source(tmp_path)  # a folder


def test_add_source_unsupported_type(
    fake_assistant: Assistant, sources_dir: Path, tmp_path: Path
) -> None:
    program = tmp_path / "tool.exe"
    program.write_bytes(b"MZ\x90\x00")
    before = sorted(p.name for p in sources_dir.iterdir())
    with pytest.raises(SourceError, match=r"\.txt"):
        fake_assistant.add_source(program)
    assert sorted(p.name for p in sources_dir.iterdir()) == before


HARBOUR = "The harbour pilots of Busan guided every delegation ship safely into the port.\n"


def test_add_source_makes_it_answerable(
    fake_assistant: Assistant,
    sources_dir: Path,
    tmp_path: Path,
    keyword_embeddings: KeywordEmbeddings,
) -> None:
    original = tmp_path / "upload" / "harbour.txt"
    original.parent.mkdir()
    original.write_text(HARBOUR)
    keyword_embeddings.reset()
    report = fake_assistant.add_source(original, title="Harbour notes", kind="commentary")
    assert isinstance(report, IndexReport)
    assert report.added == ["harbour.txt"] and report.unchanged == [COMMENTARY]
    assert keyword_embeddings.texts_embedded == report.chunks_embedded == 1
    assert (sources_dir / "harbour.txt").read_text() == HARBOUR
    assert original.exists()  # copied, not moved
    row = next(r for r in fake_assistant.sources() if r.id == "harbour.txt")
    assert (row.title, row.kind) == ("Harbour notes", "commentary")
    answer = fake_assistant.ask("Who guided the delegation ships into the port of Busan?")
    assert not answer.abstained
    assert answer.citations[0].source == "harbour.txt"
    assert answer.citations[0].title == "Harbour notes"
    check_citations(fake_assistant, answer)


def test_add_source_already_in_the_folder(fake_assistant: Assistant, sources_dir: Path) -> None:
    (sources_dir / "harbour.txt").write_text(HARBOUR)
    report = fake_assistant.add_source(sources_dir / "harbour.txt")
    assert report.added == ["harbour.txt"]
    assert (sources_dir / "harbour.txt").read_text() == HARBOUR


UNSAFE_NAMES = [
    "../x.txt",
    "../../outside/y.md",
    "/etc/passwd.txt",
    "..\\..\\windows\\z.txt",
    "a\x00b\nc\x1bd\x7f.txt",
    "tab\there.html",
    "n" * 500 + ".txt",
    "漢" * 500 + ".txt",
    "é" * 300 + ".md",
    ".hidden.txt",
    "   spaced  .txt",
    "UPPER.TXT",
]


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_safe_target_stays_inside(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "sources"
    target = safe_target(folder, name)
    assert target.parent == folder
    assert not target.name.startswith(".")
    assert target.suffix in (".txt", ".md", ".html")
    assert all(c.isprintable() for c in target.name)
    assert len(target.name.encode("utf-8")) <= 255, "longer names cannot be created on disk"


@pytest.mark.parametrize("name", ["..", "x.exe", "notes.txt.meta.json", "", "/", "noext"])
def test_safe_target_refuses(tmp_path: Path, name: str) -> None:
    with pytest.raises(SourceError):
        safe_target(tmp_path, name)


def test_add_source_with_unsafe_names(
    fake_assistant: Assistant, sources_dir: Path, tmp_path: Path
) -> None:
    upload = tmp_path / "upload.txt"
    upload.write_text("placeholder")
    outside = set(tmp_path.rglob("*"))
    problems = []
    for i, name in enumerate(UNSAFE_NAMES):
        upload.write_text(f"Unsafe upload number {i} mentions the word zebra{i} once.\n")
        try:
            report = fake_assistant.add_source(upload, name=name)
        except AssistantError as exc:  # refusing is fine; crashing or escaping is not
            problems.append(f"{name[:20]!r} was refused: {exc}")
            continue
        except OSError as exc:
            problems.append(
                f"{name[:20]!r} raised {exc.__class__.__name__} {exc.strerror}, "
                "not an AssistantError"
            )
            continue
        (added,) = report.added
        assert (sources_dir / added).is_file(), name
        assert fake_assistant.retrieve(f"zebra{i}", k=1)[0].source == added
    new = set(tmp_path.rglob("*")) - outside
    assert all(p.is_relative_to(sources_dir) or p.is_relative_to(tmp_path / "index") for p in new)
    assert problems == []


def test_add_source_of_a_readme(fake_assistant: Assistant, tmp_path: Path) -> None:
    # README.md in sources/ describes the folder and is never indexed, so an upload called
    # README.md must be stored under another name (or refused), not silently ignored.
    readme = tmp_path / "README.md"
    readme.write_text("# Readme\n\nThe harbour pilots wrote this readme about ships.\n")
    report = fake_assistant.add_source(readme)
    assert len(report.added) == 1


def test_add_source_that_cannot_be_read(fake_assistant: Assistant, tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    report = fake_assistant.add_source(broken)
    assert [f for f, _ in report.failed] == ["broken.pdf"]
    assert report.unchanged == [COMMENTARY]

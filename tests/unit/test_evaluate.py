"""The evaluation metrics on hand-made answers and passages, and one run with a fake system."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from assistant.errors import QuestionError
from assistant.evaluation.baselines import KeywordBaseline, split_texts
from assistant.evaluation.harness import (
    Outcome,
    Question,
    evaluate,
    evidence_rank,
    format_table,
    has_evidence,
    hit_at,
    is_correct,
    load_questions,
    main,
    mean_reciprocal_rank,
    percentile,
    precise_citations,
    states_facts,
    summarize,
    to_json,
    word_count,
)
from assistant.schema import Answer, Citation, Passage

SOURCE = (
    "The Plenipotentiary Conference closed on November 7th in Busan, South Korea. "
    "It is held once every four years."
)


def passage(text: str) -> Passage:
    return Passage(text, "s.txt", "S", "¶1", "commentary", 0.0, 0, len(text))


def citation(quote: str, start: int | None = None, marker: int = 1) -> Citation:
    at = SOURCE.find(quote) if start is None else start
    return Citation(marker, "s.txt", "S", "¶1", quote, at, at + len(quote))


def answer(text: str, citations: Sequence[Citation] = (), abstained: bool = False) -> Answer:
    return Answer(text, list(citations), abstained, [])


BUSAN = Question("q1", "Where?", evidence=("in Busan, South Korea",), facts=("busan",))


def test_evidence_is_verbatim_with_whitespace_folded() -> None:
    assert has_evidence("held in Busan,\n  South Korea.", ["in Busan, South Korea"])
    assert not has_evidence("held in busan, south korea", ["in Busan, South Korea"])
    assert not has_evidence("anything", [])


def test_facts_are_case_insensitive_and_all_required() -> None:
    assert states_facts("It closed on NOVEMBER 7th [1].", ["november 7th"])
    assert states_facts("the IGF’s mandate", ["IGF's mandate"])
    assert not states_facts("It closed in November.", ["November 7th", "Busan"])
    assert states_facts("anything", [])


def test_rank_hit_at_k_and_mrr() -> None:
    passages = [
        passage("nothing here"),
        passage("It was held in Busan, South Korea."),
        passage("in Busan, South Korea again"),
    ]
    assert evidence_rank(passages, ["in Busan, South Korea"]) == 2
    assert evidence_rank(passages, ["Geneva"]) is None
    ranks = [1, 2, None, 5]
    assert hit_at(ranks, 1) == 0.25
    assert hit_at(ranks, 5) == 0.75
    assert mean_reciprocal_rank(ranks) == pytest.approx((1 + 0.5 + 0 + 0.2) / 4)
    assert hit_at([], 5) is None and mean_reciprocal_rank([]) is None


def test_accuracy_needs_answer_facts_and_cited_evidence() -> None:
    quote = "The Plenipotentiary Conference closed on November 7th in Busan, South Korea."
    good = answer(f"{quote} [1]", [citation(quote)])
    assert is_correct(good, BUSAN)
    assert not is_correct(answer(f"{quote} [1]", [citation(quote)], abstained=True), BUSAN)
    assert not is_correct(answer("Seoul [1]", [citation(quote)]), BUSAN)  # fact missing
    other = "It is held once every four years."
    assert not is_correct(answer("Busan [1]", [citation(other)]), BUSAN)  # evidence not cited
    assert not is_correct(good, Question("n1", "Unanswerable?"))


def test_citation_precision_needs_verbatim_offsets_and_evidence() -> None:
    quote = "The Plenipotentiary Conference closed on November 7th in Busan, South Korea."
    texts = {"s.txt": SOURCE}
    cites = [
        citation(quote),  # precise
        citation(quote, start=3),  # wrong offsets
        citation("It is held once every four years.", marker=2),  # no evidence
        Citation(4, "gone.txt", "G", "", quote, 0, len(quote)),
    ]  # unknown source
    assert precise_citations(answer("x", cites), BUSAN, texts.get) == 1


def test_word_count_leaves_out_markers() -> None:
    assert word_count("It closed on November 7th. [1] It runs three weeks [2].") == 9


def test_percentiles_interpolate_like_numpy() -> None:
    values = [10.0, 20.0, 30.0, 40.0, 1000.0]
    assert percentile(values, 50) == 30.0
    assert percentile(values, 95) == pytest.approx(40.0 + 0.8 * 960.0)
    assert percentile([1.0, 2.0], 50) == 1.5
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_summary_of_abstention_and_lengths() -> None:
    def outcome(answerable: bool, abstained: bool, correct: bool, words: int, ms: float) -> Outcome:
        return Outcome(
            "x",
            answerable,
            abstained,
            correct,
            1 if answerable else None,
            0 if abstained else 2,
            1 if correct else 0,
            words,
            ms / 1000,
        )

    report = summarize(
        "fake",
        [
            outcome(True, False, True, 10, 100),
            outcome(True, True, False, 8, 200),
            outcome(True, False, False, 30, 300),
            outcome(False, True, False, 8, 400),
            outcome(False, False, False, 50, 500),
        ],
    )
    assert (report.answerable, report.unanswerable) == (3, 2)
    assert report.accuracy == pytest.approx(1 / 3)
    assert report.overall == pytest.approx(2 / 5)
    assert report.false_abstention == pytest.approx(1 / 3)
    assert report.abstention == 0.5
    assert report.citation_precision == 0.25  # 1 precise of 4 citations on answerable
    assert report.median_words == 30  # answered only: 10, 30, 50
    assert report.p50_ms == pytest.approx(300)
    assert report.p95_ms == pytest.approx(480)


def write_questions(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    return path


def test_load_questions(tmp_path: Path) -> None:
    path = write_questions(
        tmp_path / "q.jsonl",
        [
            {"id": "a", "question": "Where?", "evidence": ["in Busan"], "facts": ["Busan"]},
            {
                "id": "b",
                "question": "How long is it?",
                "history": [{"role": "user", "content": "What is it?"}],
            },
        ],
    )
    first, second = load_questions(path)
    assert first == Question("a", "Where?", ("in Busan",), ("Busan",))
    assert first.answerable and not second.answerable
    assert second.history == ({"role": "user", "content": "What is it?"},)

    bad = write_questions(
        tmp_path / "bad.jsonl", [{"id": "a", "question": "Q?"}, {"id": "b", "question": ""}]
    )
    with pytest.raises(QuestionError, match="line 2"):
        load_questions(bad)
    twice = write_questions(tmp_path / "twice.jsonl", [{"id": "a", "question": "Q?"}] * 2)
    with pytest.raises(QuestionError, match="used twice"):
        load_questions(twice)
    with pytest.raises(QuestionError, match="cannot read"):
        load_questions(tmp_path / "missing.jsonl")


def test_shipped_question_files_load() -> None:
    for path in sorted(Path(__file__).parents[1].glob("data/eval/*.jsonl")):
        questions = load_questions(path)
        assert questions and all(q.facts for q in questions if q.answerable)


class FakeSystem:
    """Answers with the first sentence holding the most question words; abstains below 2."""

    name = "fake"
    settings: Any = None  # read only to build the baselines

    def __init__(self, text: str) -> None:
        self.text = text
        self.queries: list[str] = []

    def retrieve(self, query: str, k: int = 5) -> list[Passage]:
        self.queries.append(query)
        spans, at = [], 0
        for sentence in self.text.split(". "):
            start = self.text.index(sentence, at)
            at = start + len(sentence)
            spans.append(Passage(sentence, "s.txt", "S", "", "", 0.0, start, at))
        words = set(query.lower().split())
        spans.sort(key=lambda p: -len(words & set(p.text.lower().split())))
        return spans[:k]

    def ask(self, question: str, history: Sequence[dict[str, Any]] | None = None) -> Answer:
        best = self.retrieve(question, 1)[0]
        if len(set(question.lower().split()) & set(best.text.lower().split())) < 2:
            return Answer("The sources do not answer this question.", [], True, [best])
        cite = Citation(1, best.source, best.title, "", best.text, best.start, best.end)
        return Answer(f"{best.text} [1]", [cite], False, [best])

    def source_text(self, source: str) -> str | None:
        return self.text if source == "s.txt" else None


def test_evaluate_a_fake_system_end_to_end(tmp_path: Path) -> None:
    path = write_questions(
        tmp_path / "q.jsonl",
        [
            {
                "id": "a",
                "question": "when the conference closed on",
                "evidence": ["closed on November 7th"],
                "facts": ["November 7th"],
            },
            {
                "id": "b",
                "question": "how often is it held",
                "evidence": ["once every four years"],
                "facts": ["four years"],
            },
            {
                "id": "c",
                "question": "How long is it?",
                "evidence": ["three weeks"],
                "facts": ["three weeks"],
                "history": [{"role": "user", "content": "What is the Plenipotentiary?"}],
            },
            {"id": "n", "question": "Who won the World Cup?"},
        ],
    )
    system = FakeSystem(SOURCE + ". It runs for three weeks")
    report = evaluate(system, load_questions(path), warmup=False)
    assert report.name == "fake" and report.questions == 4
    assert [o.correct for o in report.outcomes] == [True, True, False, False]
    assert report.accuracy == pytest.approx(2 / 3)
    assert report.hit_at_1 == pytest.approx(2 / 3) and report.hit_at_5 == 1.0
    assert report.abstention == 1.0 and report.false_abstention == pytest.approx(1 / 3)
    assert report.citation_precision == 1.0
    # retrieval sees the follow-up with the previous user question folded in
    assert "What is the Plenipotentiary? How long is it?" in system.queries
    assert report.p50_ms is not None and report.p50_ms >= 0

    table = format_table([report, report])
    assert "| answer accuracy (answerable)" in table and "66.7%" in table
    data = json.loads(to_json([report]))
    assert data["reports"][0]["outcomes"][0]["id"] == "a"
    assert "outcomes" not in json.loads(to_json(report, outcomes=False))["reports"][0]


def test_main_writes_the_table_or_json(tmp_path: Path) -> None:
    path = write_questions(
        tmp_path / "q.jsonl",
        [
            {
                "id": "a",
                "question": "when the conference closed on",
                "evidence": ["closed on November 7th"],
                "facts": ["November 7th"],
            }
        ],
    )
    system = FakeSystem(SOURCE)
    out = io.StringIO()
    assert main(system, [path], baselines=False, out=out) == 0
    assert "| answer accuracy (answerable)" in out.getvalue() and "100.0%" in out.getvalue()
    out = io.StringIO()
    main(system, [str(path)], as_json=True, baselines=False, out=out)
    assert json.loads(out.getvalue())["reports"][0]["name"] == "assistant"


def test_keyword_baseline_cites_whole_chunks_at_their_offsets() -> None:
    texts = {
        "a.txt": "Alpha beta gamma. " * 100
        + "The meeting was in Busan, South Korea. "
        + "Delta epsilon. " * 100
    }
    corpus = split_texts(texts)
    assert all(texts[c.source][c.start : c.end] == c.text for c in corpus.chunks)
    assert all(len(c.text) <= 1000 for c in corpus.chunks)
    baseline = KeywordBaseline(corpus)
    reply = baseline.ask("Where was the meeting? Busan?")
    assert not reply.abstained and "Busan, South Korea" in reply.citations[0].quote
    assert precise_citations(reply, BUSAN, baseline.source_text) == 1

"""One reference per passage, and the context of a quote kept inside its clause."""

from __future__ import annotations

from assistant.answering.citations import one_per_passage
from assistant.interfaces.web.render import answer_html, passage_html
from assistant.schema import Answer, Citation, Passage

TEXT = (
    "RESOLUTION 1 (BUSAN, 2014)\n"
    "resolves\n"
    "1 that the register shall be open. It shall be free. It shall hold no personal data;\n"
    "2 that entries shall be confirmed yearly.\n"
    "RESOLUTION 2 (BUSAN, 2014)\n"
    "resolves\n"
    "1 that another act begins here and must not show in the context of resolution 1."
)


def _cite(marker: int, quote: str) -> Citation:
    start = TEXT.index(quote)
    return Citation(
        marker,
        "acts.txt",
        "Final Acts",
        "Resolution 1 › resolves 1",
        quote,
        start,
        start + len(quote),
    )


def _passage(first: str, last: str, chunk_id: str) -> Passage:
    start, end = TEXT.index(first), TEXT.index(last) + len(last)
    return Passage(
        TEXT[start:end], "acts.txt", "Final Acts", "loc", "resolution", 1.0, start, end, chunk_id
    )


CLAUSE_1 = _passage("1 that the register", "personal data;", "c1")
CLAUSE_2 = _passage("2 that entries", "yearly.", "c2")


def test_markers_into_one_clause_share_one_reference_and_keep_every_quote() -> None:
    a, b, c = "It shall be free.", "entries shall be confirmed yearly.", "no personal data"
    answer = Answer(
        "Free [1]. Confirmed [2]. No data [3].",
        [_cite(1, a), _cite(2, b), _cite(3, c)],
        False,
        [CLAUSE_1, CLAUSE_2],
    )
    shared = one_per_passage(answer)
    assert shared.text == "Free [1]. Confirmed [2]. No data [1]."
    assert [(x.marker, x.quote) for x in shared.citations] == [(1, a), (2, b), (1, c)]
    assert all(TEXT[x.start : x.end] == x.quote for x in shared.citations)
    assert list(shared.references) == [1, 2]
    assert [x.quote for x in shared.references[1]] == [a, c]
    md = shared.to_markdown()
    assert md.count("[1] Final Acts") == 1 and f"“{a}” … “{c}”" in md


def test_adjacent_repeated_markers_are_written_once() -> None:
    answer = Answer(
        "Open and free [1] [2].",
        [_cite(1, "the register shall be open."), _cite(2, "It shall be free.")],
        False,
        [CLAUSE_1],
    )
    assert one_per_passage(answer).text == "Open and free [1]."


def test_context_stops_at_the_clause_and_marks_each_quote() -> None:
    a, b = TEXT.index("It shall be free."), TEXT.index("no personal data")
    shown = passage_html(TEXT, a, a + 17, also=[(b, b + 16)], within=(CLAUSE_1.start, CLAUSE_1.end))
    assert shown.count("<mark>") == 2
    assert "another act" not in shown and "entries" not in shown
    assert shown.startswith("1 that the register")
    unbounded = passage_html(TEXT, a, a + 17)
    assert "another act" in unbounded  # the whole block runs on without the unit


def test_answer_html_shows_one_row_per_reference_inside_its_clause() -> None:
    answer = one_per_passage(
        Answer(
            "Free [1]. No data [2].",
            [_cite(1, "It shall be free."), _cite(2, "no personal data")],
            False,
            [CLAUSE_1, CLAUSE_2],
        )
    )
    page = answer_html(answer, lambda _: TEXT, "u")
    assert page.count('class="ref"') == 1 and page.count("<mark>") == 2
    assert "another act" not in page
    a, b = answer.references[1]
    assert f'href="sources/acts.txt?q={a.start}-{a.end},{b.start}-{b.end}#quote"' in page

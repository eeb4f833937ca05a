"""Page maps: offsets to pages, and page starts carried through a rewriting of the text."""

from __future__ import annotations

from assistant.index.pages import PageMap, carry, join_pages


def test_offsets_fall_on_their_pages_and_labels() -> None:
    text, starts = join_pages(["one two", "three", "four five"])
    pages = PageMap(starts, ("i", "ii", "1"))
    assert text == "one two\nthree\nfour five"
    assert [pages.page_at(text.index(w)) for w in ("one", "three", "four", "five")] == [1, 2, 3, 3]
    assert pages.label_at(text.index("three")) == "ii"
    assert PageMap(starts).label_at(0) is None
    assert PageMap(()).page_at(5) is None
    assert PageMap.from_json(pages.to_json()) == pages


def test_carry_follows_words_past_dropped_heads_and_joined_lines() -> None:
    raw, starts = join_pages(
        [
            "Res. 102   7\nthat the register shall be kept by the Union for all\nMember",
            "Res. 102   8\nStates; the entries shall be con-\nfirmed each year;",
            "Res. 102   9\n3 that each entry shall contain a contact point.",
        ]
    )
    cleaned = (
        "that the register shall be kept by the Union for all Member States; the entries "
        "shall be confirmed each year;\n3 that each entry shall contain a contact point."
    )
    pages = carry(PageMap(starts), raw, cleaned)
    assert pages.page_at(cleaned.index("that the register")) == 1
    assert pages.page_at(cleaned.index("Member")) == 1
    assert pages.page_at(cleaned.index("States")) == 2
    assert pages.page_at(cleaned.index("confirmed")) == 2
    assert pages.page_at(cleaned.index("3 that each")) == 3

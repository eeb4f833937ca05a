"""The compare view's HTML (interfaces/web/ui/compare.py): rows by kind, words marked, text
escaped; tests/browser/test_compare_view.py shows it in a real browser."""

from __future__ import annotations

import re

from assistant.interfaces.web.ui.compare import (
    answered_act,
    comparable_acts,
    comparison_html,
    error_html,
)
from assistant.schema import Change, Citation, Comparison, SourceInfo


def cite(marker: int, edition: str, item: str, quote: str) -> Citation:
    label = f"Resolution 7 ({edition})"
    return Citation(
        marker, f"{edition}.txt", "T", f"{label} › resolves {item}", quote, 0, len(quote)
    )


def test_rows_marks_and_escaping() -> None:
    old = cite(1, "Rev. Old, 2010", "1", "to keep <b>a</b> list;")
    new = cite(2, "Rev. New, 2014", "1", "to keep <b>a</b> short list,")
    gone = cite(3, "Rev. Old, 2010", "2", "to <script>x</script>;")
    diff = (("=", "to keep <b>a</b>"), ("+", "short"), ("=", "list"))
    comparison = Comparison(
        "Resolution 7",
        "Rev. Old, 2010",
        "Rev. New, 2014",
        [
            Change("modified", "resolves", old, new, diff, "1", "1", "operative"),
            Change("removed", "resolves", gone, None, (), "2", "", "operative"),
        ],
        "old.txt#Resolution 7 (Rev. Old, 2010)",
        "new.txt#Resolution 7 (Rev. New, 2014)",
    )
    page = comparison_html(comparison)
    assert "<b>a</b>" not in page and "<script>" not in page
    assert '<td class="new" title="T — Resolution 7 (Rev. New, 2014) › resolves 1">' in page
    assert "to keep &lt;b&gt;a&lt;/b&gt; <ins>short</ins> list," in page  # its own final ","
    assert "to keep &lt;b&gt;a&lt;/b&gt; list;" in page  # nothing removed: the old text plain
    assert '<tr class="change removed"><td class="kind">removed</td>' in page
    assert '<td class="new empty">—</td>' in page
    assert "1 changed" not in page and "2 changed, 0 unchanged" in page
    assert error_html("<x> not indexed") == '<p class="compare-error">&lt;x&gt; not indexed</p>'


def test_each_side_links_to_its_item_in_its_document() -> None:
    old = Citation(1, "acts 2010/R#7.txt", "T", "Resolution 7 › resolves 1", "to keep;", 120, 128)
    new = Citation(2, "acts 2014.txt", "T", "Resolution 7 › resolves 2", "to keep;", 4031, 4039)
    added = Citation(3, "acts 2014.txt", "T", "Resolution 7 › resolves 3", "<x>", 5000, 5003)
    comparison = Comparison(
        "Resolution 7",
        "Rev. Old, 2010",
        "Rev. New, 2014",
        [
            Change("moved", "resolves", old, new, (), "1", "2", "operative"),
            Change("added", "resolves", None, added, (), "", "3", "operative"),
        ],
        "acts 2010/R#7.txt#Resolution 7",
        "acts 2014.txt#Resolution 7",
    )
    page = comparison_html(comparison)
    links = re.findall(r'<td class="(old|new)[^"]*"[^>]*><a class="doc-link" href="([^"]+)"', page)
    assert links == [
        ("old", "sources/acts%202010/R%237.txt?q=120-128#quote"),
        ("new", "sources/acts%202014.txt?q=4031-4039#quote"),
        ("new", "sources/acts%202014.txt?q=5000-5003#quote"),
    ]
    assert page.count('target="_blank" rel="noopener"') == 3  # a new tab, as references open
    assert '<span class="item">resolves 3</span> ↗</a> &lt;x&gt;</td>' in page
    assert '<td class="old empty">—</td>' in page  # no item, no link


def test_only_acts_in_several_editions_are_offered() -> None:
    rows = [
        SourceInfo("a.txt", "A", "final-acts", 3),
        SourceInfo(
            "a.txt#R",
            "Resolution 130 (Rev. Busan, 2014)",
            "resolution",
            2,
            "a.txt",
            "Rev. Busan, 2014",
            ["b.txt#R"],
        ),
        SourceInfo(
            "a.txt#S", "Resolution 978 (Busan, 2014)", "resolution", 1, "a.txt", "Busan, 2014", []
        ),
        SourceInfo(
            "b.txt#R",
            "Resolution 130 (Rev. Guadalajara, 2010)",
            "resolution",
            2,
            "b.txt",
            "Rev. Guadalajara, 2010",
            ["a.txt#R"],
        ),
        SourceInfo(
            "b.txt#T",
            "Resolution 20 (Rev. Guadalajara, 2010)",
            "resolution",
            2,
            "b.txt",
            "Rev. Guadalajara, 2010",
            ["c.txt#T"],
        ),
    ]
    assert comparable_acts(rows) == ["Resolution 20", "Resolution 130"]


def test_the_act_an_answer_cites_is_found_in_its_references() -> None:
    markdown = (
        "Resolution 101 ... [1]\n\n**References**\n"
        "[1] Invented — Resolution 978 (Busan, 2014) › resolves: “x”\n"
        "[2] Invented — Resolution 101 (Rev. Busan, 2014) › noting a): “y”"
    )
    assert answered_act(markdown, ["Resolution 101", "Resolution 130"]) == "Resolution 101"
    assert answered_act(markdown, ["Resolution 130"]) is None
    assert answered_act("", ["Resolution 101"]) is None

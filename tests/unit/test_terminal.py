"""The terminal rendering of an answer: wrapped, without Markdown marks or stray blank lines."""

from __future__ import annotations

from assistant import Citation
from assistant.interfaces import cli
from assistant.interfaces.terminal import plain, render
from assistant.schema import Answer

LONG = "The register of imaginary lighthouse frequencies shall be open to all Member States " * 3


def _answer() -> Answer:
    quote = LONG.strip()
    return Answer(
        "**CWG-Internet** is open to [Member States](https://example.org) only [1].\n\n\n"
        "# Also\n- it reports yearly [1]",
        [
            Citation(1, "a.pdf", "Final Acts", "Resolution 102 › resolves 2, p. 123", quote, 0, 9),
            Citation(
                1, "a.pdf", "Final Acts", "Resolution 102 › resolves 2, p. 123", "Yes.", 9, 13
            ),
        ],
        False,
        [],
        notice="Only the first 2000 characters were used.",
    )


def test_markdown_marks_become_plain_words() -> None:
    assert plain("**a** and *b* and `c` [d](http://x)") == "a and b and c d (http://x)"
    assert plain("## Heading\n* item") == "Heading\n• item"
    assert plain("2 * 3 and a_b_c") == "2 * 3 and a_b_c"


def test_render_wraps_and_lists_one_reference_with_each_quote() -> None:
    out = render(_answer(), cols=60)
    lines = out.splitlines()
    assert all(len(line) <= 60 for line in lines)
    assert "**" not in out and "](" not in out and "# Also" not in out
    assert "CWG-Internet is open to Member States (https://example.org) only [1]." in " ".join(
        out.split()
    )
    assert "\n\n\n" not in out
    assert out.count("[1] Final Acts — Resolution 102 › resolves 2, p. 123") == 1
    assert out.count("      “") == 2  # both quotes, indented under the reference
    assert lines[-1] == "Only the first 2000 characters were used."


def test_ask_takes_a_format_and_json_stays_an_alias() -> None:
    parser = cli._parser()
    assert parser.parse_args(["ask", "q"]).format == "text"
    assert parser.parse_args(["ask", "q", "--format", "bibtex"]).format == "bibtex"
    assert parser.parse_args(["ask", "q", "--json"]).format == "json"

"""Act bodies written as running text ("(Busan, 2014), considering a) ...; b) ..., resolves
1 ...") cut into one block heading or item per line, by a closed grammar of block headings."""

from __future__ import annotations

import re

from assistant.ingest.finalacts.grammar import (
    CONNECTORS,
    STOP,
    starts_act,
)

# The conference line inside running text, up to its comma: where a flattened body starts.
_CONF_IN_RE = re.compile(
    r"(?<!\S)the\s+plenipotentiary\s+conference\s+of\s+the\s+(?:international\s+"
    r"telecommunications?\s+union|itu)\s*\([^()]*\d{4}\s*\)\s*,?",
    re.IGNORECASE,
)

# Block headings as they appear inside running text: a closed grammar, since there only the
# words tell a heading from an item ("..., considering further a) that ...; b) ...").
_RUN_PREAMBLE_RE = re.compile(
    r"(?:(?:further|also)\s+)?(?:recalling|considering|recognizing|recognising|noting|observing|"
    r"acknowledging|emphasizing|emphasising|stressing|highlighting|underlining|reaffirming|"
    r"affirming|reiterating|welcoming|aware|conscious|mindful|convinced|concerned|cognizant|"
    r"deploring|alarmed|believing|desiring|appreciating|guided|determined|bearing\s+in\s+mind|"
    r"keeping\s+in\s+mind|taking\s+into\s+(?:account|consideration)|taking\s+note\s+of|"
    r"having\s+regard\s+to|referring\s+to)"
    r"(?:\s+(?:with\s+(?:great\s+|deep\s+)?(?:satisfaction|concern|appreciation)|further|also|"
    r"moreover|furthermore|additionally|finally|in\s+particular))?(?=[\s,]|$)"
)
_RUN_OPERATIVE_RE = re.compile(
    r"(?:(?:further|also)\s+)?(?:resolves|decides|instructs|invites|encourages|requests|"
    r"calls\s+upon|calls\s+on|urges|charges|asks|appeals\s+to|endorses|approves|adopts|"
    r"authorizes|entrusts)(?:\s+(?:further|also))?(?=[\s,]|$)"
)
# A word of an operative heading's object: "the Director of the ... Bureau", "the membership".
_OBJECT_WORD_RE = re.compile(r"^[A-Za-z][\w\-’']*$")
_RUN_LABEL_RE = re.compile(
    r"(?:\(?[a-z]\)|\(?[ivx]{1,5}\)|\d{1,3}(?:bis|ter|quater)?[.)]?)\s+(?=\S)"
)
# Where a heading or label may follow: ",;:" and a space, or "." ending a lower-case word.
_PUNCTUATION_RE = re.compile(r"([,;:]|(?<=[a-z)]{2})\.)\s+")
_RUN_TAIL_RE = re.compile(rf",\s+(?:{'|'.join(sorted(CONNECTORS))})\b[^,;]*,")


def unflatten(lines: list[str]) -> list[str]:
    """Act bodies written as running text split into one heading or item per line."""
    out: list[str] = []
    body = operative = False  # inside an act, after its conference line; past its preamble
    for line in lines:
        if starts_act(line):
            body = operative = False
            out.append(line)
            continue
        conf = _CONF_IN_RE.search(line)
        if conf is None and not body:
            out.append(line)
            continue
        pieces: list[str] = []
        rest = line
        if conf is not None:
            pieces += [p for p in (line[: conf.start()].strip(), conf.group().strip()) if p]
            rest, body = line[conf.end() :].strip(), True
            if not rest:
                out += pieces
                continue
        split, operative = _split_body(rest, operative, fresh=conf is not None)
        out += pieces + split
    return out


def _split_body(text: str, operative: bool, *, fresh: bool) -> tuple[list[str], bool]:
    """The lines of one line of an act's body, cut before each block heading and item label.

    A heading may start after any ",;:." (or where the text starts); a label after ";", ":"
    or a heading, or after "." that ends a sentence (annex paragraphs "1 The ... . 2 The ...").
    `fresh`: the text starts right after the conference line, so it opens with a heading.
    """
    cuts = {0}
    pos, prev = 0, ("start" if fresh else "")
    while pos < len(text):
        head = _running_heading(text, pos, operative, first=prev == "start")
        if head is not None:
            end, part = head
            operative = operative or part == "operative"
            cuts |= {pos, end}
            pos, prev = _skip_space(text, end), "heading"
            continue
        label = _RUN_LABEL_RE.match(text, pos)
        if label and (
            prev in (";", ":", ".", "heading") or (prev == "," and _item_after(text, label))
        ):
            cuts.add(pos)
        m = _PUNCTUATION_RE.search(text, pos + 1)
        if m is None:
            break
        pos, prev = m.end(), m.group(1)
    edges = [*sorted(cuts), len(text)]
    pieces = [text[x:y].strip() for x, y in zip(edges, edges[1:], strict=False)]
    return [p for p in pieces if p], operative


def _item_after(text: str, label: re.Match[str]) -> bool:
    """Whether a numbered label after a comma starts an item ("..., 3 that ..." after the last
    sub-item of item 2), rather than being a number in the text."""
    return (
        label.group()[0].isdigit() and re.match(r"(?:that|to)\b", text[label.end() :]) is not None
    )


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _running_heading(text: str, pos: int, operative: bool, first: bool) -> tuple[int, str] | None:
    """(end, part) of a block heading starting at `pos` of running text, if one does.

    Away from the start of a body, a heading must be followed by an item label, by "that",
    by "to" (operative) or by a capital (a preamble item such as "Resolution 58 ..."), so that
    "..., taking into account the results" inside an item stays put."""
    if not operative:
        m = _RUN_PREAMBLE_RE.match(text, pos)
        if m is not None:
            end = m.end()
            after = text[_skip_space(text, end + (text[end : end + 1] == ",")) :]
            if first or _RUN_LABEL_RE.match(after) or re.match(r"(?:that|the)\b|[A-Z]", after):
                return end + (text[end : end + 1] == ","), "preamble"
    m = _RUN_OPERATIVE_RE.match(text, pos)
    if m is None:
        return None
    end = m.end()
    # The heading's object runs to the item: "the Director of the ... Bureau" | "1 to ...",
    # "the membership" | "to report ..."; it never ends on "the" or "of".
    for count, word in enumerate(re.compile(r"\S+").finditer(text, end)):
        bare = word.group().rstrip(",")
        if bare in ("to", "that") or _RUN_LABEL_RE.match(text, word.start()):
            break
        if count >= 12 or not _OBJECT_WORD_RE.match(bare):
            break
        if bare not in STOP:
            end = word.start() + len(bare)
        if word.group().endswith(","):
            break
    tail = _RUN_TAIL_RE.match(text, end) if text[end : end + 1] == "," else None
    if tail is not None:
        end = tail.end()
    elif text[end : end + 1] == ",":
        end += 1
    after = text[_skip_space(text, end) :]
    if first or not after or _RUN_LABEL_RE.match(after) or re.match(r"(?:to|that)\b", after):
        return end, "operative"
    return None

"""Chunks and sentences: the units that are indexed, each with its exact offsets in the source."""

from __future__ import annotations

import hashlib
import re

from assistant.schema import Chunk, Segment, Sentence

# Recorded in the index: a change here asks for a rebuild instead of mixing old and new chunks.
# v2: sentences never end inside a short parenthesis ("(REV. BUSAN, 2014)") nor after "Amb.",
# "Nos.", "p.m." ...; HTML and DOCX text laid out anew (paragraphs from blocks, table rows).
# v3: the line under a commentary heading that names its act ("Resolution Com5/4 (Busan,
# 2014)") is a passage of its own, so it can be quoted.
CHUNKING_VERSION = "para-v3"
MAX_CHUNK_CHARS = 1200
MIN_SENTENCE_CHARS = 25

_ABBREVIATIONS = (
    "e.g.",
    "i.e.",
    "U.S.",
    "U.N.",
    "Rev.",
    "No.",
    "Dr.",
    "Mr.",
    "Ms.",
    "Mrs.",
    "St.",
    "vs.",
    "cf.",
    "etc.",
    "Res.",
    "Dec.",
    "Art.",
    "para.",
    "Vol.",
    "Inc.",
    "REV.",
    "Amb.",
    "Nos.",
    "paras.",
    "Paras.",
    "Para.",
    "Cf.",
    "Add.",
    "Corr.",
    "Doc.",
    "Prof.",
    "pp.",
    "p.m.",
    "a.m.",
)
# A known abbreviation at the end of a piece, as a whole word ("No.", not "UNO.").
_ABBREVIATION_END = re.compile(
    r"(?<![\w.])(?:" + "|".join(re.escape(a) for a in _ABBREVIATIONS) + r")$"
)
# A stop inside parentheses that close this soon is no sentence end: "(REV. BUSAN, 2014)",
# "(it was long. Very long.)"; a longer parenthesis may hold whole sentences.
MAX_PARENTHESIS_AHEAD = 80
_SENTENCE_END = re.compile(r"[.!?…][”\"’')\]]*(?=\s+[“\"‘'(\[]?[A-Z0-9])")


def chunk_source(source_id: str, segments: list[Segment]) -> list[Chunk]:
    """Chunks for a source: one per segment, long segments split between sentences."""
    # surrogatepass: any str hashes, even an id holding a name's undecodable bytes.
    prefix = hashlib.sha1(source_id.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    chunks: list[Chunk] = []
    for segment in segments:
        for start, end in _pieces(segment):
            chunk_id = f"{prefix}:{len(chunks)}"
            text = segment.text[start - segment.start : end - segment.start]
            sentences = tuple(
                Sentence(f"{chunk_id}:{i}", text[s - start : e - start], s, e)
                for i, (s, e) in enumerate(split_sentences(text, start))
            )
            chunks.append(
                Chunk(
                    chunk_id,
                    source_id,
                    text,
                    start,
                    end,
                    segment.locator,
                    segment.kind,
                    segment.group,
                    segment.part,
                    sentences,
                )
            )
    return chunks


def _pieces(segment: Segment) -> list[tuple[int, int]]:
    """Split a segment longer than MAX_CHUNK_CHARS at sentence ends into near-equal pieces."""
    if len(segment.text) <= MAX_CHUNK_CHARS:
        return [(segment.start, segment.end)]
    spans = split_sentences(segment.text, segment.start)
    pieces: list[tuple[int, int]] = []
    first, last = spans[0]
    for s, e in spans[1:]:
        if e - first > MAX_CHUNK_CHARS:
            pieces.append((first, last))
            first = s
        last = e
    pieces.append((first, last))
    return pieces


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of `text`, shifted by `offset`; very short pieces join their neighbour."""
    spans: list[tuple[int, int]] = []
    begin = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if _ends_with_abbreviation(text[begin:end]) or _in_parenthesis(text, end):
            continue
        spans.append((begin, end))
        begin = end
    spans.append((begin, len(text)))
    spans = [_strip(text, s, e) for s, e in spans]
    spans = [(s, e) for s, e in spans if e > s]
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and (e - s < MIN_SENTENCE_CHARS or _too_short(text, merged[-1])):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return [(s + offset, e + offset) for s, e in merged] or [(offset, offset + len(text))]


def _too_short(text: str, span: tuple[int, int]) -> bool:
    return span[1] - span[0] < MIN_SENTENCE_CHARS


def _ends_with_abbreviation(piece: str) -> bool:
    tail = piece.rstrip("”\"’')]")
    return bool(_ABBREVIATION_END.search(tail) or re.search(r"\b[A-Z]\.$", tail))


def _in_parenthesis(text: str, at: int) -> bool:
    """Whether `at` is inside a parenthesis that closes within MAX_PARENTHESIS_AHEAD chars.

    `at` is just after a stop and the closers that follow it: "(Glim was late.) Then" ends a
    sentence after the ")", "(REV. BUSAN, 2014)" holds none.
    """
    if text.rfind("(", 0, at) <= text.rfind(")", 0, at):
        return False
    return text.find(")", at, at + MAX_PARENTHESIS_AHEAD) != -1


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end

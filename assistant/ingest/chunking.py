"""Chunks and sentences: the units that are indexed, each with its exact offsets in the source."""

from __future__ import annotations

import hashlib
import re

from assistant.schema import Chunk, Segment, Sentence

# Recorded in the index: a change here asks for a rebuild instead of mixing old and new chunks.
CHUNKING_VERSION = "para-v1"
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
)
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
        if _ends_with_abbreviation(text[begin:end]):
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
    return tail.endswith(_ABBREVIATIONS) or bool(re.search(r"\b[A-Z]\.$", tail))


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end

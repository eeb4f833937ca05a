"""What the previous answer cited: its quotes found again among the indexed sentences.

History arrives as Gradio/OpenAI messages (role and content only), so the citations of the
previous answer are not passed back; but its text holds them. The assistant's own answers quote
sentences verbatim; an answer written elsewhere (another client, a person, an LLM) may say them
in other words. So each sentence of the previous answer is matched to the source sentences that
share most of its words: a verbatim quote matches its sentence exactly, a close paraphrase its
nearest one. Follow-ups ("Why?", "And the IETF?", "What did the final text drop?") are most
often answered in or next to the passage so found.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from assistant.answering.citations import MARKER, readable
from assistant.index.text import stem, terms
from assistant.schema import Chunk

# How alike (the cosine of their sets of stems) a sentence of the previous answer and a source
# sentence must be for the source sentence to count as cited: a verbatim quote is 1.0; a short
# paraphrase ("South Korea, the host country.") of a long sentence that holds all of its words
# is about 0.55; two sentences on one topic in other words stay below 0.4.
SAME_SENTENCE = 0.5
MIN_SHARED = 2  # stems in common, at least: one shared word says nothing
_SENTENCE_END = re.compile(r"(?<=[.?!;:])\s+|\n+")


def said_sentences(said: str) -> list[frozenset[str]]:
    """The stems of each sentence of an answer, its markers left out (empty ones dropped)."""
    found = []
    for part in _SENTENCE_END.split(MARKER.sub(" ", said)):
        stems = frozenset(stem(w) for w in terms(part))
        if len(stems) >= MIN_SHARED:
            found.append(stems)
    return found


def cited_positions(chunks: Iterable[Chunk], said: str) -> frozenset[tuple[str, int]]:
    """(chunk id, sentence index) of the sentences of `chunks` the answer `said` quoted.

    A sentence is quoted when its text stands verbatim in `said`, or when it is the sentence of
    `chunks` most alike one sentence of `said` (at least SAME_SENTENCE; ties all count).
    """
    if not said.strip():
        return frozenset()
    folded = " ".join(said.split())
    answer = said_sentences(said)
    best: list[tuple[float, set[tuple[str, int]]]] = [(SAME_SENTENCE, set()) for _ in answer]
    found: set[tuple[str, int]] = set()
    for chunk in chunks:
        for index, sentence in enumerate(chunk.sentences):
            at = (chunk.id, index)
            if readable(sentence.text) in folded:
                found.add(at)
                continue
            stems = {stem(w) for w in terms(sentence.text)}
            for n, words in enumerate(answer):
                shared = len(words & stems)
                if shared < MIN_SHARED:
                    continue
                alike = shared / math.sqrt(len(words) * len(stems))
                if alike > best[n][0] + 1e-9:
                    best[n] = (alike, {at})
                elif abs(alike - best[n][0]) <= 1e-9:
                    best[n][1].add(at)
    for _, positions in best:
        found |= positions
    return frozenset(found)


def neighbours(chunk_id: str) -> tuple[str, ...]:
    """The ids of the chunks before and after `chunk_id` in its source ("<source key>:<n>")."""
    key, _, n = chunk_id.rpartition(":")
    if not n.isdigit():
        return ()
    return tuple(f"{key}:{m}" for m in (int(n) - 1, int(n) + 1) if m >= 0)

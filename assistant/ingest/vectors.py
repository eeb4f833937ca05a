"""Sentence vectors by content hash, for one sync: reused where they exist, embedded once.

A sentence's vector depends only on the text sent to the model (its chunk's context and its
own text) and on the model, which is one per index. So every stored vector carries the hash of
that text (metadata `hash`, and the catalog's `sentences.hash`), and a sync looks up the hashes
it needs (`index.hashes.stored_vectors`) before it embeds anything: an edited file re-embeds
only the sentences whose text changed, and a sentence that other files (or the same file)
repeat is embedded once.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Sequence

from assistant.index.catalog import Catalog
from assistant.index.hashes import stored_vectors
from assistant.index.store import VectorStore
from assistant.schema import Chunk, Sentence

logger = logging.getLogger(__name__)


def embedded_text(chunk: Chunk, sentence: Sentence) -> str:
    """The text a sentence is embedded from: its chunk's context, so it keeps its topic."""
    return f"{chunk.context}: {sentence.text}"


def text_hash(text: str) -> str:
    """The content hash of an embedded text (the key its vector is found by)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def sentence_hash(chunk: Chunk, sentence: Sentence) -> str:
    """The content hash of what a sentence is embedded from."""
    return text_hash(embedded_text(chunk, sentence))


WORDS_MARK = "word_vectors"  # catalog meta, "complete": every sentence has its word vectors
_FILL_BATCH = 64  # chunks per model call when filling in word vectors


def upgrade(catalog: Catalog, store: VectorStore) -> None:
    """Fill in what an index built by an older version lacks: sentence hashes, word vectors."""
    if catalog.unhashed_sentences():
        logger.info("hashed %d sentences of the catalog", catalog.fill_hashes(sentence_hash))
    if filled := fill_words(catalog, store):
        logger.info("word vectors for %d sentences of the catalog", filled)


def fill_words(catalog: Catalog, store: VectorStore) -> int:
    """Give the sentences of an index built before word vectors were kept their word vectors
    (one model pass over their texts; the stored vectors stay); return how many texts.

    Runs until the catalog is marked complete, then never again: a sync stores the words of
    every sentence it embeds. A model that gives no word vectors leaves the index as it is.
    """
    if not store.gives_words or catalog.get_meta().get(WORDS_MARK) == "complete":
        return 0
    ids = catalog.chunks_without_words()
    filled = 0
    for i in range(0, len(ids), _FILL_BATCH):
        chunks = catalog.chunks(ids[i : i + _FILL_BATCH]).values()
        texts = {sentence_hash(c, s): embedded_text(c, s) for c in chunks for s in c.sentences}
        _, words = store.embed_with_words(list(texts.values()))
        if words is None:  # the model behind the handle gives none
            return filled
        catalog.put_word_vectors({h: w.pack() for h, w in zip(texts, words, strict=True)})
        filled += len(texts)
    catalog.set_meta({WORDS_MARK: "complete"})
    return filled


class SyncVectors:
    """Vectors for the texts of one sync: from this sync, from the store, or embedded.

    `repeats` counts, per hash, the sentences this sync will still write: a vector is kept in
    memory only while another sentence of the sync needs it.
    """

    def __init__(self, store: VectorStore, repeats: Counter[str], *, catalog: Catalog) -> None:
        self.store = store
        self.catalog = catalog
        self.repeats = repeats
        self.embedded = 0  # texts sent to the model
        self._kept: dict[str, list[float]] = {}
        self._words: dict[str, bytes] = {}  # packed word vectors of texts embedded, not stored

    def _embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors of `texts` from the model; their word vectors are kept for `take_words`."""
        vectors, words = self.store.embed_with_words(texts)
        if words is not None:
            self._words.update((text_hash(t), w.pack()) for t, w in zip(texts, words, strict=True))
        self.embedded += len(texts)
        return vectors

    def take_words(self, hashes: Iterable[str]) -> dict[str, bytes]:
        """The packed word vectors this sync made for `hashes`, handed out once (the catalog
        keeps them by hash for every later sentence with the same text)."""
        return {h: self._words.pop(h) for h in set(hashes) if h in self._words}

    def prefetch(self, groups: Sequence[Sequence[str]], limit: int) -> int:
        """Find or embed ahead, in one model call, the texts of the first groups (one per file)
        that fit in `limit` texts, at least one group; return how many groups were taken.

        Their vectors are kept until `vectors` hands them out (`repeats` must count them).
        """
        take, size = 0, 0
        while take < len(groups) and (take == 0 or size + len(groups[take]) <= limit):
            size += len(groups[take])
            take += 1
        texts = [text for group in groups[:take] for text in group]
        wanted = {text_hash(text): text for text in texts}
        missing = [h for h in wanted if h not in self._kept]
        found = stored_vectors(self.catalog, self.store, missing)
        new = [h for h in missing if h not in found]
        if new:
            found.update(zip(new, self._embed([wanted[h] for h in new]), strict=True))
        self._kept.update(found)
        return take

    def vectors(self, texts: Sequence[str], hashes: Sequence[str]) -> list[list[float]]:
        """The vector of each text (`hashes[i]` is `text_hash(texts[i])`), embedding only the
        texts whose hash has no vector yet."""
        wanted = dict(zip(hashes, texts, strict=True))  # one text per hash
        found = {h: self._kept[h] for h in wanted if h in self._kept}
        rest = [h for h in wanted if h not in found]
        found.update(stored_vectors(self.catalog, self.store, rest))
        new = [h for h in wanted if h not in found]
        if new:
            found.update(zip(new, self._embed([wanted[h] for h in new]), strict=True))
        for h, n in Counter(hashes).items():
            self.repeats[h] -= n
            if self.repeats[h] > 0:
                self._kept[h] = found[h]
            else:
                self._kept.pop(h, None)
        return [found[h] for h in hashes]

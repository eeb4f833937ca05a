"""Baselines to evaluate the assistant against, on the same extracted texts and model.

Both split the sources with LangChain's RecursiveCharacterTextSplitter(1000, 200) and answer
with the best chunk, cited whole; they never abstain. `LangChainBaseline` is the plain LangChain
pipeline (HuggingFaceEmbeddings + langchain-chroma, top-k); `KeywordBaseline` ranks chunks by
BM25 alone. History is folded into the question as the assistant folds it.
"""

from __future__ import annotations

import logging
import math
import re
import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.answering.abstention import NO_ANSWER
from assistant.answering.history import standalone
from assistant.config import Settings
from assistant.errors import SourceError
from assistant.ingest import sources as source_files
from assistant.schema import Answer, Citation, Passage

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
# Chroma refuses larger batches than its limit (about 5k); stay well below it.
ADD_BATCH = 1000
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Corpus:
    """The sources' extracted texts and their splitter chunks (as passages with offsets)."""

    texts: dict[str, str]
    titles: dict[str, str]
    chunks: tuple[Passage, ...]


def split_texts(
    texts: dict[str, str], titles: dict[str, str] | None = None, kinds: dict[str, str] | None = None
) -> Corpus:
    """Split each text with RecursiveCharacterTextSplitter(1000, 200), keeping offsets."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    titles = titles or {}
    chunks: list[Passage] = []
    for source, text in texts.items():
        end = 0
        for piece in splitter.split_text(text):
            # Pieces come in order and overlap the previous one by at most CHUNK_OVERLAP.
            start = text.find(piece, max(0, end - CHUNK_OVERLAP))
            if start < 0:
                start = text.find(piece)
            end = start + len(piece)
            chunks.append(
                Passage(
                    piece,
                    source,
                    titles.get(source, source),
                    f"characters {start}-{end}",
                    (kinds or {}).get(source, ""),
                    0.0,
                    start,
                    end,
                    f"{source}#{len(chunks)}",
                )
            )
    return Corpus(dict(texts), {s: titles.get(s, s) for s in texts}, tuple(chunks))


def load_corpus(sources: Path) -> Corpus:
    """Extract the text of every source under `sources` (as the assistant does) and split it."""
    texts: dict[str, str] = {}
    titles: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for file in source_files.scan(Path(sources)):
        try:
            loaded = source_files.load(file)
        except SourceError as exc:
            logger.warning("baseline skips %s: %s", file.id, exc)
            continue
        texts[loaded.id], titles[loaded.id], kinds[loaded.id] = (
            loaded.text,
            loaded.title,
            loaded.kind,
        )
    return split_texts(texts, titles, kinds)


class BestChunkBaseline:
    """Answers with the best retrieved chunk, cited whole; never abstains."""

    name = "baseline"

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus

    def retrieve(self, query: str, k: int = 5) -> list[Passage]:
        """The `k` best chunks for `query`."""
        raise NotImplementedError

    def ask(self, question: str, history: Sequence[dict[str, Any]] | None = None) -> Answer:
        """The best chunk for the question (history folded in) as the answer."""
        passages = self.retrieve(standalone(question, history), k=5)
        if not passages:
            return Answer(NO_ANSWER, [], True, [])
        best = passages[0]
        citation = Citation(
            1, best.source, best.title, best.locator, best.text, best.start, best.end
        )
        return Answer(f"{' '.join(best.text.split())} [1]", [citation], False, passages)

    def source_text(self, source: str) -> str | None:
        """The extracted text that citation offsets refer to."""
        return self.corpus.texts.get(source)

    def close(self) -> None:
        """Release what the baseline holds."""


class LangChainBaseline(BestChunkBaseline):
    """Plain LangChain: splitter chunks, HuggingFaceEmbeddings, Chroma similarity top-k."""

    name = "langchain"

    def __init__(
        self, corpus: Corpus, *, embeddings: Embeddings, folder: Path | None = None
    ) -> None:
        super().__init__(corpus)
        from langchain_chroma import Chroma

        self._temporary = folder is None
        self.folder = (
            Path(tempfile.mkdtemp(prefix="baseline-chroma-")) if folder is None else Path(folder)
        )
        # The embedding function is always ours: Chroma's default would download a model.
        self._store = Chroma(
            collection_name=f"baseline-{uuid.uuid4().hex[:8]}",
            embedding_function=embeddings,
            persist_directory=str(self.folder),
        )
        chunks = corpus.chunks
        for i in range(0, len(chunks), ADD_BATCH):
            batch = chunks[i : i + ADD_BATCH]
            self._store.add_texts(
                [c.text for c in batch],
                metadatas=[{"i": i + j} for j in range(len(batch))],
                ids=[str(i + j) for j in range(len(batch))],
            )

    def retrieve(self, query: str, k: int = 5) -> list[Passage]:
        """The `k` nearest chunks by Chroma's similarity search."""
        if not self.corpus.chunks:
            return []
        found = self._store.similarity_search_with_score(query, k=k)
        return [
            _scored(self.corpus.chunks[int(doc.metadata["i"])], -float(distance))
            for doc, distance in found
        ]

    def close(self) -> None:
        """Delete the temporary store."""
        if self._temporary:
            shutil.rmtree(self.folder, ignore_errors=True)


class KeywordBaseline(BestChunkBaseline):
    """BM25 (Okapi, k1=1.5, b=0.75) over the splitter chunks; no embeddings at all."""

    name = "bm25"
    K1 = 1.5
    B = 0.75

    def __init__(self, corpus: Corpus) -> None:
        super().__init__(corpus)
        self._postings: dict[str, list[tuple[int, int]]] = {}
        self._lengths: list[int] = []
        for number, chunk in enumerate(corpus.chunks):
            counts = Counter(tokens(chunk.text))
            self._lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                self._postings.setdefault(term, []).append((number, tf))
        self._average = sum(self._lengths) / max(1, len(self._lengths))

    def scores(self, query: str) -> dict[int, float]:
        """BM25 score of each chunk that shares a term with `query`, by chunk number."""
        total = len(self._lengths)
        scores: dict[int, float] = {}
        for term in set(tokens(query)):
            postings = self._postings.get(term, [])
            if not postings:
                continue
            idf = math.log(1.0 + (total - len(postings) + 0.5) / (len(postings) + 0.5))
            for number, tf in postings:
                norm = self.K1 * (1 - self.B + self.B * self._lengths[number] / self._average)
                scores[number] = scores.get(number, 0.0) + idf * tf * (self.K1 + 1) / (tf + norm)
        return scores

    def retrieve(self, query: str, k: int = 5) -> list[Passage]:
        """The `k` chunks with the highest BM25 score (ties: earlier chunk first)."""
        scores = self.scores(query)
        best = sorted(scores, key=lambda n: (-scores[n], n))[:k]
        return [_scored(self.corpus.chunks[n], scores[n]) for n in best]


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens."""
    return _TOKEN.findall(text.lower())


def _scored(chunk: Passage, score: float) -> Passage:
    return Passage(
        chunk.text,
        chunk.source,
        chunk.title,
        chunk.locator,
        chunk.kind,
        round(score, 6),
        chunk.start,
        chunk.end,
        chunk.chunk_id,
    )


def build_baselines(sources: Path, *, embeddings: Embeddings) -> list[BestChunkBaseline]:
    """Both baselines over the sources folder; call `close()` on each when done."""
    corpus = load_corpus(sources)
    return [LangChainBaseline(corpus, embeddings=embeddings), KeywordBaseline(corpus)]


def from_settings(settings: Settings) -> list[BestChunkBaseline]:
    """Both baselines over the configured sources, with the configured embedding model."""
    from assistant.index.embeddings import load_embeddings

    return build_baselines(settings.sources, embeddings=load_embeddings(settings.embedding_model))


def close_all(systems: Iterable[BestChunkBaseline]) -> None:
    """Close every baseline."""
    for system in systems:
        system.close()

"""Word vectors: made from the encoder's wordpieces, packed, stored by content hash, matched.

The fake encoder gives each word a vector by its meaning class (a tiny thesaurus written for
these tests: "closed" and "wrapped" are one class), so matching by meaning can be checked
without the real model; tests/integration covers the real one. The documents are invented.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from fakes import KeywordEmbeddings

from assistant import Assistant
from assistant.answering.abstention import DECISION_FEATURES
from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.ranking import FEATURES, candidates_of
from assistant.answering.turn import read_turn
from assistant.index.catalog import Catalog
from assistant.index.query_cache import QueryVectors
from assistant.index.store import VectorStore
from assistant.index.text import stem, term_spans
from assistant.index.word_vectors import WordEncoder, WordVectors, from_tokens, match
from assistant.ingest.sync import sync_folder
from assistant.ingest.vectors import WORDS_MARK

DIMS = 16
# Words of one meaning class share a direction (the fake's "meaning").
CLASSES = {"closed": "end", "wrapped": "end", "ended": "end", "pier": "pier", "jetty": "pier"}


def unit(word: str) -> np.ndarray:
    """A deterministic unit vector per meaning class (a word's own class by default)."""
    seed = int(hashlib.sha256(CLASSES.get(word, word).encode()).hexdigest()[:8], 16)
    v = np.random.default_rng(seed).normal(size=DIMS).astype(np.float32)
    return v / np.linalg.norm(v)


def words_of(text: str) -> WordVectors:
    """The fake encoder's word vectors: one 'wordpiece' per word, offsets as a tokenizer's."""
    spans = [(s, e) for _, s, e in term_spans(text)]
    hidden = np.stack([unit(text[s:e].lower()) for s, e in spans]) if spans else np.zeros((0, 16))
    return from_tokens(text, spans, hidden)


class WordFakeEmbeddings(KeywordEmbeddings):
    """KeywordEmbeddings that also give word vectors; counts the texts given words."""

    gives_words = True

    def __init__(self) -> None:
        super().__init__()
        self.worded: list[str] = []

    def embed_with_words(self, texts: list[str]) -> tuple[list[list[float]], list[WordVectors]]:
        self.worded.extend(texts)
        return self.embed_documents(texts), [words_of(t) for t in texts]

    def embed_query_with_words(self, text: str) -> tuple[list[float], WordVectors]:
        return self.embed_query(text), words_of(text)


def opened(tmp_path: Path, paragraph: str) -> Assistant:
    """An Assistant over one invented harbour note, with the word-giving fake encoder."""
    folder = tmp_path / "sources"
    folder.mkdir()
    note = f"# Harbour notes\n\n## The meeting\n\n{paragraph}\n"
    (folder / "harbour.md").write_text(note, encoding="utf-8")
    return Assistant.open(sources=folder, index=tmp_path / "index", embeddings=WordFakeEmbeddings())


def test_a_words_vector_is_the_mean_of_its_wordpieces_and_stop_words_have_none() -> None:
    text = "The conference closed early"
    # wordpieces: [CLS] the con ##ference closed early [SEP] (offsets of a BERT tokenizer)
    offsets = [(0, 0), (0, 3), (4, 7), (7, 14), (15, 21), (22, 27), (0, 0)]
    hidden = np.eye(7, DIMS, dtype=np.float32)
    words = from_tokens(text, offsets, hidden)
    assert words.stems == (stem("conference"), stem("closed"), stem("early"))
    expected = (hidden[2] + hidden[3]) / np.linalg.norm(hidden[2] + hidden[3])
    assert np.allclose(words.matrix[0], expected)
    assert np.allclose(np.linalg.norm(words.matrix, axis=1), 1.0)


def test_a_word_cut_off_by_the_models_length_limit_is_left_out() -> None:
    text = "ferries docked beside the pier"
    offsets = [(0, 0), (0, 7), (8, 14), (0, 0)]  # truncated after "docked"
    words = from_tokens(text, offsets, np.eye(4, DIMS, dtype=np.float32))
    assert words.stems == (stem("ferries"), stem("docked"))


def test_packed_word_vectors_come_back_within_int8_precision() -> None:
    original = words_of("The harbour board approved a second jetty for ferries")
    back = WordVectors.unpack(original.pack())
    assert back.stems == original.stems
    cosines = np.sum(back.matrix * original.matrix, axis=1)
    assert cosines.min() > 0.999
    assert len(original.pack()) < len(original.stems) * (DIMS + 4) + 64
    empty = WordVectors.unpack(words_of("the of and").pack())
    assert empty.stems == () and empty.matrix.shape[0] == 0


def test_match_finds_a_question_word_by_meaning_weighted_by_rarity() -> None:
    question = words_of("When was the meeting wrapped?")
    weights = {stem("meeting"): 1.0, stem("wrapped"): 3.0}
    by_meaning = match(question, weights, words_of("The meeting closed on Friday."))
    unrelated = match(question, weights, words_of("The meeting approved a jetty."))
    assert by_meaning > unrelated
    assert by_meaning == pytest.approx(1.0, abs=1e-5)  # both weighted words found
    nearest = max(float(unit("wrapped") @ unit(w)) for w in ("meeting", "approved", "jetty"))
    assert unrelated == pytest.approx((1.0 + 3.0 * nearest) / 4, abs=1e-5)
    assert match(question, {}, words_of("The meeting closed.")) == 0.0  # no weighted word
    assert match(question, weights, words_of("the of and")) == 0.0


def test_a_sync_stores_word_vectors_by_hash_and_drops_them_with_the_last_sentence(
    tmp_path: Path,
) -> None:
    folder, emb = tmp_path / "sources", WordFakeEmbeddings()
    folder.mkdir()
    shared_text = "The harbour board closed the old pier on a windy Tuesday in March."
    own = {"a.md": "Ferries now use the new jetty.", "b.md": "Fishing boats keep the quay."}
    for name, text in own.items():  # one paragraph each: the shared sentence, then its own
        (folder / name).write_text(f"# Harbour\n\n{shared_text} {text}\n", encoding="utf-8")
    catalog = Catalog(tmp_path / "index")
    store = VectorStore(emb, folder=tmp_path / "index" / "chroma")
    assert isinstance(store._embeddings, WordEncoder)
    sync_folder(folder, catalog, store, model="fake", group=4096)
    ids = sorted(catalog.sentence_ids())
    stored = {i: WordVectors.unpack(d) for i, d in catalog.word_vectors(ids).items()}
    assert set(stored) == set(ids)  # every sentence of both files has its words
    assert len(ids) == 4 and len(emb.worded) == 3  # the shared text embedded (and worded) once
    assert sum(stem("pier") in w.stems for w in stored.values()) == 2  # the shared sentence

    def rows() -> int:
        return int(catalog._db.execute("SELECT count(*) FROM word_vectors").fetchone()[0])

    shared = rows()
    (folder / "a.md").unlink()
    sync_folder(folder, catalog, store, model="fake", group=4096)
    assert rows() == shared - 1  # a.md's own sentence went; the shared one stays for b.md
    (folder / "b.md").write_text("# Harbour\n\nDivers surveyed the seabed.\n", encoding="utf-8")
    sync_folder(folder, catalog, store, model="fake", group=4096)
    assert rows() == len(catalog.sentence_ids())  # the old texts' words went with them


def test_without_a_word_encoder_nothing_is_stored_and_nothing_fails(tmp_path: Path) -> None:
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "a.md").write_text("# Harbour\n\nThe pier closed.\n", encoding="utf-8")
    catalog = Catalog(tmp_path / "index")
    store = VectorStore(KeywordEmbeddings(), folder=tmp_path / "index" / "chroma")
    sync_folder(folder, catalog, store, model="fake", group=4096)
    assert catalog.word_vectors(sorted(catalog.sentence_ids())) == {}
    assert not store.gives_words and WORDS_MARK not in catalog.get_meta()  # nothing to fill


def test_the_query_cache_keeps_word_vectors_and_encodes_again_only_when_they_were_not_asked() -> (
    None
):
    cache = QueryVectors(4)
    calls: list[str] = []

    def encode(text: str) -> tuple[list[float], WordVectors | None]:
        calls.append(text)
        return [1.0, 0.0], words_of(text)

    cache.get("pier closed", lambda t: [1.0, 0.0])  # vector only
    vector, words = cache.get_with_words("pier closed", encode)
    assert calls == ["pier closed"] and words is not None
    again, same = cache.get_with_words("pier closed", encode)
    assert calls == ["pier closed"] and same is words and again == [1.0, 0.0]
    assert cache.get("pier closed", lambda t: [9.0]) == [1.0, 0.0]


def test_retrieval_carries_word_vectors_and_the_ranker_matches_words_by_meaning(
    tmp_path: Path,
) -> None:
    assistant = opened(
        tmp_path,
        "The harbour meeting closed on a windy Friday evening. "
        "The harbour meeting approved a second jetty for the ferries.",
    )
    try:
        turn = read_turn("When was the harbour meeting wrapped?")
        retrieval = assistant._retriever.for_turn(turn, 4)
        assert retrieval.query_words is not None
        assert retrieval.query_words.stems[-1] == stem("wrapped")
        assert set(retrieval.words) == {
            s.id for c in retrieval.chunks.values() for s in c.sentences
        }
        feature = FEATURES.index("word_match")
        scores = {c.sentence.text: c.values[feature] for c in candidates_of(turn, retrieval)}
        closed = next(v for text, v in scores.items() if "closed" in text)
        jetty = next(v for text, v in scores.items() if "jetty" in text)
        assert closed > jetty  # "wrapped" found as "closed", by meaning
        assert closed == pytest.approx(1.0, abs=1e-3)
    finally:
        assistant.close()


def test_the_decision_sees_whether_words_no_source_has_are_met_by_meaning(
    tmp_path: Path,
) -> None:
    assistant = opened(tmp_path, "The harbour meeting closed on a windy Friday.")
    at = DECISION_FEATURES.index("absent_match")
    try:

        def absent_match(question: str) -> float:
            turn = read_turn(question)
            retrieval = assistant._retriever.for_turn(turn, 4)
            features = ExtractiveAnswerer().decision_features(question, retrieval)
            assert features is not None
            return features[at]

        assert absent_match("What about the harbour meeting that closed?") == 1.0  # none absent
        paraphrase = absent_match("What about the harbour meeting that wrapped?")  # "closed"
        unrelated = absent_match("What about the harbour meeting that photosynthesised?")
        assert paraphrase == pytest.approx(1.0, abs=1e-3)
        assert unrelated < 0.9
    finally:
        assistant.close()


def test_an_index_from_before_word_vectors_gets_them_at_its_next_sync_once(
    tmp_path: Path,
) -> None:
    folder, emb = tmp_path / "sources", WordFakeEmbeddings()
    folder.mkdir()
    (folder / "a.md").write_text(
        "# Harbour\n\nThe harbour board closed the old pier. Ferries now use the jetty.\n", "utf-8"
    )
    catalog = Catalog(tmp_path / "index")
    store = VectorStore(emb, folder=tmp_path / "index" / "chroma")
    sync_folder(folder, catalog, store, model="fake", group=4096)
    ids = sorted(catalog.sentence_ids())
    assert catalog.get_meta()[WORDS_MARK] == "complete"
    before = catalog.word_vectors(ids)
    with catalog._db:  # as an index built before word vectors were kept
        catalog._db.execute("DELETE FROM word_vectors")
        catalog._db.execute("DELETE FROM meta WHERE key = ?", (WORDS_MARK,))
    emb.worded.clear()
    emb.reset()
    sync_folder(folder, catalog, store, model="fake", group=4096)
    assert catalog.word_vectors(ids) == before  # the same words, made again
    assert len(emb.worded) == len(ids)  # each text once; its stored vector is kept
    assert emb.document_calls == 1
    emb.worded.clear()
    sync_folder(folder, catalog, store, model="fake", group=4096)
    assert emb.worded == []  # marked complete: no second pass


def test_word_vectors_turned_off_are_neither_stored_nor_asked_for(tmp_path: Path) -> None:
    from assistant.config import DEFAULT_EMBEDDING_MODEL
    from assistant.index.embeddings import LazyEmbeddings

    class Off(LazyEmbeddings):
        """The app's model handle over the word-giving fake, with the setting turned off."""

        def __init__(self) -> None:
            super().__init__(DEFAULT_EMBEDDING_MODEL, words=False)
            self._loaded = WordFakeEmbeddings()

    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "a.md").write_text("# Harbour\n\nThe pier closed.\n", encoding="utf-8")
    catalog = Catalog(tmp_path / "index")
    off = Off()
    store = VectorStore(off, folder=tmp_path / "index" / "chroma")
    sync_folder(folder, catalog, store, model="fake", group=4096)
    assert not store.gives_words
    assert catalog.word_vectors(sorted(catalog.sentence_ids())) == {}
    assert off.embed_query_with_words("When did the pier close?")[1] is None
    on = Off()
    on.gives_words = True
    assert on.embed_query_with_words("When did the pier close?")[1] is not None

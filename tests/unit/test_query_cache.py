"""The LRU of query vectors (index/query_cache.py), its setting and its use by LazyEmbeddings."""

from __future__ import annotations

import threading

import pytest

from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.index.embeddings import LazyEmbeddings
from assistant.index.query_cache import QueryVectors


class Counting:
    """An encoder that counts its calls and gives each text a vector of its length."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, text: str) -> list[float]:
        self.calls.append(text)
        return [float(len(text)), 1.0]


def test_a_repeated_query_is_encoded_once() -> None:
    cache, encode = QueryVectors(4), Counting()
    assert cache.get("who?", encode) == cache.get("who?", encode) == [4.0, 1.0]
    assert encode.calls == ["who?"] and (cache.hits, cache.misses) == (1, 1)


def test_the_least_recently_used_query_is_dropped_beyond_the_size() -> None:
    cache, encode = QueryVectors(2), Counting()
    for text in ["a", "b", "a", "c"]:  # "b" is now the oldest; "c" pushes it out
        cache.get(text, encode)
    assert len(cache) == 2
    cache.get("a", encode)
    cache.get("b", encode)
    assert encode.calls == ["a", "b", "c", "b"]


def test_size_zero_remembers_nothing() -> None:
    cache, encode = QueryVectors(0), Counting()
    cache.get("x", encode)
    cache.get("x", encode)
    assert encode.calls == ["x", "x"] and len(cache) == 0


def test_a_caller_changing_its_vector_does_not_change_the_cache() -> None:
    cache, encode = QueryVectors(2), Counting()
    cache.get("abc", encode).append(9.0)
    cache.get("abc", encode)[0] = -1.0
    assert cache.get("abc", encode) == [3.0, 1.0]


def test_threads_asking_at_once_get_the_right_vectors() -> None:
    cache, encode = QueryVectors(8), Counting()
    texts = [f"q{i % 12}" for i in range(600)]
    wrong: list[str] = []

    def ask(chunk: list[str]) -> None:
        wrong.extend(t for t in chunk if cache.get(t, encode) != [float(len(t)), 1.0])

    threads = [threading.Thread(target=ask, args=(texts[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not wrong and len(cache) == 8


def test_the_setting_defaults_to_a_bounded_cache_and_refuses_negative_sizes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().query_cache_size == 1024
    monkeypatch.setenv("ASSISTANT_QUERY_CACHE_SIZE", "0")
    assert Settings().query_cache_size == 0
    monkeypatch.setenv("ASSISTANT_QUERY_CACHE_SIZE", "-1")
    with pytest.raises(ConfigError, match="ASSISTANT_QUERY_CACHE_SIZE"):
        Settings()


def test_lazy_embeddings_encode_a_repeated_query_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("assistant.index.embeddings.model_path", lambda setting: setting)
    embeddings = LazyEmbeddings("model", query_cache=4)
    encode = Counting()

    class Model:
        def embed_query(self, text: str) -> list[float]:
            return encode(text)

    monkeypatch.setattr(embeddings, "_model", Model)
    assert embeddings.embed_query("who?") == embeddings.embed_query("who?") == [4.0, 1.0]
    assert encode.calls == ["who?"]

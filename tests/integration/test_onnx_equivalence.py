"""ONNX Runtime against PyTorch for the packaged model: the same vectors, the same answers.

The fp32 export must give the PyTorch vectors (cosine >= 0.999 on 1,000+ texts cut from the
shipped sources) and so identical answers on the development questions; that is why both
backends record the same model id in the index. int8 is close but not equal (its own id).
The ONNX files come from the user's cache (made on first use, as `assistant` makes them).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import copy_sources
from langchain_core.embeddings import Embeddings

from assistant import Assistant
from assistant.config import DEFAULT_EMBEDDING_MODEL
from assistant.evaluation.harness import load_questions
from assistant.index.embeddings import load_embeddings
from assistant.index.onnx_embeddings import OnnxEmbeddings
from assistant.index.word_vectors import WordEncoder
from assistant.ingest.sources import scan
from assistant.ingest.sync import prepare

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "tests" / "data" / "eval"


def source_texts() -> list[str]:
    """1,000+ distinct texts from the shipped sources: sentences as ingest embeds them (with
    their chunk's context), runs of 2-4 sentences, each sentence's halves, and windows of 8
    and 16 words over each chunk (stride 4)."""
    texts: list[str] = []
    for file in scan(ROOT / "sources"):
        for chunk in prepare(file).chunks:
            sentences = [s.text for s in chunk.sentences]
            texts += [f"{chunk.context}: {s}" for s in sentences]
            for width in (2, 3, 4):
                texts += [" ".join(sentences[i : i + width]) for i in range(len(sentences))]
            for sentence in sentences:
                words = sentence.split()
                texts += [" ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2 :])]
            words = " ".join(sentences).split()
            for width in (8, 16):
                texts += [" ".join(words[i : i + width]) for i in range(0, len(words), 4)]
    return sorted({t for t in texts if t.strip()})


@pytest.fixture(scope="module")
def torch_model() -> Embeddings:
    return load_embeddings(DEFAULT_EMBEDDING_MODEL, "torch")


@pytest.fixture(scope="module")
def onnx_model() -> Embeddings:
    model = load_embeddings(DEFAULT_EMBEDDING_MODEL, "onnx")
    assert isinstance(model, OnnxEmbeddings)  # not the PyTorch fallback
    return model


def test_fp32_vectors_match_pytorch_on_a_thousand_texts(
    torch_model: Embeddings, onnx_model: Embeddings
) -> None:
    texts = source_texts()
    assert len(texts) >= 1000
    reference = np.array(torch_model.embed_documents(texts))
    vectors = np.array(onnx_model.embed_documents(texts))
    cosine = (reference * vectors).sum(axis=1)
    assert cosine.min() >= 0.999, (cosine.min(), texts[int(cosine.argmin())])
    query = "Who can take part in CWG-Internet?"
    assert np.dot(torch_model.embed_query(query), onnx_model.embed_query(query)) >= 0.999


def test_word_vectors_match_pytorch_word_for_word(
    torch_model: Embeddings, onnx_model: Embeddings
) -> None:
    """Both backends give the same words and word vectors, so they rank sentences alike."""
    texts = source_texts()[::5]  # every fifth: 200+ texts of every kind
    assert isinstance(torch_model, WordEncoder) and isinstance(onnx_model, WordEncoder)
    reference, torch_words = torch_model.embed_with_words(texts)
    vectors, onnx_words = onnx_model.embed_with_words(texts)
    assert torch_words is not None and onnx_words is not None
    assert np.array(reference) == pytest.approx(np.array(vectors), abs=1e-3)
    lowest = 1.0
    for text, a, b in zip(texts, torch_words, onnx_words, strict=True):
        assert a.stems == b.stems, text
        if a.stems:
            lowest = min(lowest, float((a.matrix * b.matrix).sum(axis=1).min()))
    assert lowest >= 0.999
    query = "When did the conference wrap up?"
    _, asked = onnx_model.embed_query_with_words(query)
    assert asked is not None and asked.stems == ("confer", "wrap", "up")


def test_int8_vectors_are_close_but_not_the_same(torch_model: Embeddings) -> None:
    int8 = load_embeddings(DEFAULT_EMBEDDING_MODEL, "onnx-int8")
    texts = source_texts()[:300]
    cosine = (
        np.array(torch_model.embed_documents(texts)) * np.array(int8.embed_documents(texts))
    ).sum(axis=1)
    assert 0.97 <= cosine.mean() < 0.9999, cosine.mean()


@pytest.fixture(scope="module")
def both(
    tmp_path_factory: pytest.TempPathFactory, torch_model: Embeddings, onnx_model: Embeddings
) -> Iterator[tuple[Assistant, Assistant]]:
    opened = []
    for name, model in (("torch", torch_model), ("onnx", onnx_model)):
        root = tmp_path_factory.mktemp(name)
        sources = copy_sources(root / "sources")
        opened.append(Assistant.open(sources=sources, index=root / "index", embeddings=model))
    yield opened[0], opened[1]
    for assistant in opened:
        assistant.close()


def test_answers_are_identical_under_both_backends(both: tuple[Assistant, Assistant]) -> None:
    questions = [q for n in ("dev.jsonl", "dev-negative.jsonl") for q in load_questions(EVAL / n)]
    assert len(questions) >= 18
    for question in questions:
        history = [dict(m) for m in question.history] if question.history else None
        torch_answer, onnx_answer = (a.ask(question.question, history=history) for a in both)
        assert onnx_answer.text == torch_answer.text, question.question
        assert onnx_answer.abstained == torch_answer.abstained
        assert [(c.source, c.start, c.end) for c in onnx_answer.citations] == [
            (c.source, c.start, c.end) for c in torch_answer.citations
        ]


def test_the_query_path_imports_neither_torch_nor_transformers(tmp_path: Path) -> None:
    sources = copy_sources(tmp_path / "sources")
    Assistant.open(sources=sources, index=tmp_path / "index").close()  # built, export cached
    script = (
        "import sys; from assistant import Assistant\n"
        f"a = Assistant.open(sources={str(sources)!r}, index={str(tmp_path / 'index')!r})\n"
        "print(a.ask('Who can take part in CWG-Internet?').abstained)\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') "
        "if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=os.environ, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["False", "[]"], done.stdout


def test_pytorch_is_the_fallback_when_no_export_can_be_made(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    with caplog.at_level(logging.WARNING):
        model = load_embeddings(DEFAULT_EMBEDDING_MODEL, "onnx", blocked)
    assert not isinstance(model, OnnxEmbeddings)
    assert "using PyTorch" in caplog.text
    assert len(model.embed_query("fallback")) == 384

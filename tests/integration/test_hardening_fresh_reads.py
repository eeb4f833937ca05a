"""Fresh reads: what another process commits to the index is seen on the next question (#18, 3).

Chroma's embedded client keeps each collection's vector index in memory and never re-reads it
(chroma-core/chroma#3792), so a long-running `serve` answered from the vectors it had at start,
and a later re-index in that process wrote its stale index over the other process's vectors.
These tests run the other writer as a real second process.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import fakes
from fakes import KeywordEmbeddings

from assistant import Assistant
from assistant.index.catalog import Catalog

TESTS = Path(fakes.__file__).resolve().parent
QUESTION = "Who signed the Zorblat accord?"
ZORBLAT = (
    "Zorblat notes\n\n"
    "The Zorblat accord was signed by the harbour pilots of Quarnsey in a long night session.\n\n"
    "Delegations said the accord would govern lighthouse fees for a decade.\n"
)

# Runs in a second process: open the same index, do one thing, print the result as JSON.
CHILD = r"""
import json, random, sys
sys.path.insert(0, sys.argv[1])
from fakes import KeywordEmbeddings
from assistant import Assistant
from assistant.index.catalog import Catalog
from assistant.index.store import VectorStore

tests, sources, index, action, arg = sys.argv[1:6]
if action == "add":
    a = Assistant.open(sources=sources, index=index, embeddings=KeywordEmbeddings())
    report = a.add_source(arg)
    question = sys.argv[6]
    passages = [[p.source, p.locator, p.score] for p in a.retrieve(question, k=6)]
    print(json.dumps({"added": report.added, "passages": passages, "answer": a.ask(question).text}))
    a.close()
elif action == "check":  # is every sampled sentence of source `arg` in the vector index?
    catalog = Catalog(__import__("pathlib").Path(index))
    store = VectorStore(KeywordEmbeddings(), folder=__import__("pathlib").Path(index) / "chroma")
    ids = sorted(catalog.sentence_ids(arg))
    sample = random.Random(7).sample(ids, min(100, len(ids)))
    vectors = store.vectors(sample)
    missed = [i for i in sample if i not in {hit for hit, _, _ in store.search(vectors[i], 10)}]
    print(json.dumps({"sampled": len(sample), "missed": len(missed)}))
"""


def child(tests: Path, sources: Path, index: Path, action: str, *args: str) -> dict[str, object]:
    """Run CHILD in a new process and return what it printed."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(tests), str(sources), str(index), action, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ | {"HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_a_running_reader_answers_from_a_source_another_process_added(
    sources_dir: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    reader = Assistant.open(sources=sources_dir, index=index, embeddings=KeywordEmbeddings())
    try:
        assert reader.ask(QUESTION).abstained  # warm: the reader has searched its vectors
        new = tmp_path / "zorblat.txt"
        new.write_text(ZORBLAT)
        written = child(TESTS, sources_dir, index, "add", str(new), QUESTION)
        assert written["added"] == ["zorblat.txt"]
        # The reader's next question sees the new vectors, and ranks as the writer does.
        passages = [[p.source, p.locator, p.score] for p in reader.retrieve(QUESTION, k=6)]
        assert passages == written["passages"]
        answer = reader.ask(QUESTION)
        assert not answer.abstained and answer.text == written["answer"]
        assert answer.citations[0].source == "zorblat.txt"
        assert "zorblat.txt" in {s.id for s in reader.sources()}
    finally:
        reader.close()


def bulky(seed: int, sentences: int) -> str:
    """An invented commentary of `sentences` sentences, each with words of its own."""
    rng = random.Random(seed)
    syllables = ["ka", "ro", "mi", "tel", "vor", "sa", "lun", "pri", "dex", "tra", "gon", "zu"]

    def word() -> str:
        return "".join(rng.choice(syllables) for _ in range(4))

    paragraphs = []
    for p in range(sentences // 8):
        paragraphs.append(
            " ".join(
                f"The delegates of {word()} said {word()} and {word()} ruled {word()} in {p}."
                for _ in range(8)
            )
        )
    return f"Bulky notes {seed}\n\n" + "\n\n".join(paragraphs) + "\n"


def test_a_stale_writer_does_not_overwrite_another_process_vectors(
    sources_dir: Path, tmp_path: Path
) -> None:
    # Over ~1000 vectors Chroma keeps an HNSW index on disk; a process that still holds the
    # one it loaded at start wrote it back over what another process had added.
    index = tmp_path / "index"
    serving = Assistant.open(sources=sources_dir, index=index, embeddings=KeywordEmbeddings())
    try:
        serving.retrieve("lighthouse fees", k=3)  # loads the vector index into memory
        first = tmp_path / "first.txt"
        first.write_text(bulky(1, 1200))
        written = child(TESTS, sources_dir, index, "add", str(first), "ruled")
        assert written["added"] == ["first.txt"]
        second = tmp_path / "second.txt"
        second.write_text(bulky(2, 1200))
        assert serving.add_source(second).added == ["second.txt"]
    finally:
        serving.close()
    assert len(Catalog(index).sentence_ids("first.txt")) >= 1000
    for source in ("first.txt", "second.txt"):
        checked = child(TESTS, sources_dir, index, "check", source)
        assert checked["sampled"] == 100
        assert int(str(checked["missed"])) < 10, f"{source}: vectors lost from the index"

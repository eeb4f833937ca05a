"""Where our index build spends its time: one build of a new index under cProfile.

The corpus is that of `benchmarks/indexing.py` (`--copies` varied copies of the shipped
commentary plus `--generated` files of generated paragraphs). The model is loaded and warmed
up first, outside the profile. The report splits the build's wall time into the encoder
(`embed_documents`), Chroma, the SQLite catalog and the rest (reading, structure, chunking,
hashing, Python glue), from cProfile's cumulative times of the functions that own each, and
prints the top functions by own time.

    PYTHONPATH=$PWD nice -n 5 .venv/bin/python benchmarks/build_profile.py --copies 0 --generated 12
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib
from indexing import make_corpus

# (label, file suffix, function name): cumulative time of these calls is one part of the build.
PARTS = [
    ("encoder (embed_documents)", "onnx_embeddings.py", "embed_documents"),
    ("chroma upsert", "store.py", "add"),
    ("chroma get by hash", "store.py", "vectors_by_hash"),
    ("chroma delete_source", "store.py", "delete_source"),
    ("catalog put_source (SQLite, FTS5)", "catalog.py", "put_source"),
    ("prepare (load, structure, chunk)", "sync.py", "prepare"),
    ("find_copy (near-duplicate check)", "duplicates.py", "find_copy"),
    ("_metadata (ids, texts, hashes)", "sync.py", "_metadata"),
    ("repair (count, ids)", "sync.py", "repair"),
]


def parts(stats: pstats.Stats) -> dict[str, float]:
    """Cumulative seconds of each part of PARTS (calls nested in one another counted once)."""
    table: Any = stats.stats  # type: ignore[attr-defined]
    found: dict[str, float] = {}
    for label, suffix, name in PARTS:
        found[label] = sum(
            row[3]
            for (file, _, func), row in table.items()
            if file.endswith(suffix) and func == name
        )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=0)
    parser.add_argument("--generated", type=int, default=12)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-build-profile"))
    parser.add_argument("--backend", default="onnx", choices=["onnx", "torch", "onnx-int8"])
    parser.add_argument("--top", type=int, default=30, help="functions listed by own time")
    parser.add_argument("--no-profile", action="store_true", help="time the build only")
    parser.add_argument("--name", default="build-profile", help="benchmarks/results/NAME.json")
    args = parser.parse_args()

    from assistant import Assistant
    from assistant.config import DEFAULT_EMBEDDING_MODEL
    from assistant.index.embeddings import load_embeddings

    sources = args.work / "sources"
    make_corpus(sources, args.copies, args.generated)
    embeddings = load_embeddings(DEFAULT_EMBEDDING_MODEL, args.backend)
    embeddings.embed_documents(["warm-up"])
    index = args.work / "index"
    shutil.rmtree(index, ignore_errors=True)
    result: dict[str, Any] = {
        "command": " ".join(sys.argv),
        "corpus_mb": benchlib.text_mb(sources),
        "files": args.copies + args.generated,
    }
    profile = cProfile.Profile()
    began = time.perf_counter()
    if not args.no_profile:
        profile.enable()
    assistant = Assistant.open(sources=sources, index=index, embeddings=embeddings)
    profile.disable()
    result["build_s"] = time.perf_counter() - began
    result["sentences"] = sum(s.chunks for s in assistant.sources() if s.parent is None)
    assistant.close()
    print(
        f"[build] {result['files']} files, {result['corpus_mb']:.2f} MiB: {result['build_s']:.1f} s"
    )
    if not args.no_profile:
        stats = pstats.Stats(profile)
        result["parts_s"] = parts(stats)
        for label, seconds in result["parts_s"].items():
            print(f"[build] {label:40s} {seconds:7.2f} s")
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())
    shutil.rmtree(args.work, ignore_errors=True)
    print(f"[build] wrote {benchlib.save(args.name, result)}")


if __name__ == "__main__":
    main()

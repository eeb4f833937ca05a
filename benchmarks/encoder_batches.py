"""The ONNX encoder's batch size, by measurement: the texts our build embeds, in turns.

The corpus is that of `benchmarks/indexing.py` (`--copies`, `--generated`); the texts are those
ingest sends to the model (context prefix and sentence, each distinct text once), embedded in
one `embed_documents` call per batch size (length-sorted, padded to each batch's longest),
the sizes in turns for `--rounds` rounds. Reports the median wall and CPU time per size, the
padded token cells it runs, and the largest difference from the vectors of the first size.

    PYTHONPATH=$PWD nice -n 5 .venv/bin/python benchmarks/encoder_batches.py --sizes 16 32 64 128
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib
from indexing import make_corpus, our_texts


def cells(lengths: list[int], batch: int) -> int:
    """Token cells the session runs: each length-sorted batch padded to its longest text."""
    ordered = sorted(lengths)
    return sum(
        len(ordered[i : i + batch]) * max(ordered[i : i + batch])
        for i in range(0, len(ordered), batch)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=0)
    parser.add_argument("--generated", type=int, default=12)
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 32, 64, 128])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-encoder-batches"))
    parser.add_argument("--name", default="encoder-batches", help="benchmarks/results/NAME.json")
    args = parser.parse_args()

    from assistant.config import DEFAULT_EMBEDDING_MODEL
    from assistant.index.embeddings import load_embeddings
    from assistant.index.onnx_embeddings import OnnxEmbeddings

    make_corpus(args.work, args.copies, args.generated)
    texts = sorted(set(our_texts(args.work)))
    model = load_embeddings(DEFAULT_EMBEDDING_MODEL, "onnx")
    assert isinstance(model, OnnxEmbeddings)
    model.embed_documents(texts[:64])  # warm-up: both sessions made
    lengths = [len(e.ids) for e in model.tokenizer.encode_batch(texts)]
    result: dict[str, Any] = {
        "command": " ".join(sys.argv),
        "load_avg_1m_start": os.getloadavg()[0],
        "texts": len(texts),
        "tokens": sum(lengths),
    }
    times: dict[int, list[tuple[float, float]]] = {size: [] for size in args.sizes}
    first: np.ndarray | None = None
    diff: dict[int, float] = {}
    for _ in range(args.rounds):
        for size in args.sizes:
            model.batch_size = size
            began, cpu = time.perf_counter(), time.process_time()
            vectors = np.array(model.embed_documents(texts), dtype=np.float32)
            times[size].append((time.perf_counter() - began, time.process_time() - cpu))
            first = vectors if first is None else first
            diff[size] = float(np.abs(vectors - first).max())
            print(f"[encoder] batch {size:4d}: {times[size][-1][0]:6.2f} s", flush=True)
    result["sizes"] = {
        str(size): {
            "median_s": statistics.median(t for t, _ in runs),
            "median_cpu_s": statistics.median(c for _, c in runs),
            "runs_s": [t for t, _ in runs],
            "cells": cells(lengths, size),
            "max_abs_diff_from_first": diff[size],
        }
        for size, runs in times.items()
    }
    result["load_avg_1m_end"] = os.getloadavg()[0]
    for size, row in result["sizes"].items():
        print(
            f"[encoder] batch {size:>4s}: median {row['median_s']:.2f} s "
            f"(CPU {row['median_cpu_s']:.2f} s), {row['cells']} cells, "
            f"max |diff| {row['max_abs_diff_from_first']:.1e}"
        )
    print(f"[encoder] wrote {benchlib.save(args.name, result)}")


if __name__ == "__main__":
    main()

"""Indexing throughput on a ~1 MB corpus, all in one process and one run, with one model load:

(a) the raw encoder of our backend (`--backend`, default onnx: `embed_documents`) on exactly
    the texts our build embeds (each sentence prefixed with its section or clause, as ingest
    does, every distinct text once), and the plain HuggingFaceEmbeddings on the LangChain
    splitter chunks;
(b) our full build: Assistant.open on a new index of the corpus, with that backend;
(c) the plain LangChain pipeline build: split, HuggingFaceEmbeddings (PyTorch, its default
    threads), Chroma (assistant.evaluation.baselines).

With `--code LABEL=DIR` (repeatable), (b) is also run for other checkouts, each in its own
process (`benchmarks/build_once.py` with `PYTHONPATH=DIR`), between (b) and (c), in turns
(`--code-repeat` rounds), so two versions of our build are timed in the same run; with
`--code-langchain` each round also builds (c) in a child, and every checkout's median is
divided by LangChain's (wall and CPU time).

Then warm ask p50/p95 on that corpus, ours and the LangChain baseline's.
The corpus: `--copies` varied copies of the shipped commentary (paragraphs shuffled within
sections, some dropped) plus `--generated` files of generated paragraphs.

    .venv/bin/python benchmarks/indexing.py                 # ~1 MB, < 15 minutes
    .venv/bin/python benchmarks/indexing.py --copies 5 --generated 5   # quick look
    .venv/bin/python benchmarks/indexing.py --code before=/tmp/main --code after=$PWD \
        --code-langchain --code-repeat 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib


def make_corpus(folder: Path, copies: int, generated: int) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for i in range(copies):
        (folder / f"commentary-{i:03d}.txt").write_text(
            benchlib.varied_commentary(i), encoding="utf-8"
        )
    gen = benchlib.ParagraphGenerator(seed=7)
    for i in range(generated):
        (folder / f"generated-{i:03d}.txt").write_text(
            gen.document(42, f"Generated commentary {i}"), encoding="utf-8"
        )


def our_texts(folder: Path) -> list[str]:
    """The texts our build sends to the encoder, made exactly as ingest makes them."""
    from assistant.ingest.sources import scan
    from assistant.ingest.sync import prepare

    return [
        f"{c.context}: {s.text}"
        for f in scan(folder)
        for c in prepare(f).chunks
        for s in c.sentences
    ]


def time_checkouts(args: argparse.Namespace, sources: Path) -> dict[str, Any]:
    """Step (b) with the code of each `--code LABEL=DIR`, and with `--code-langchain` step (c),
    in turns (`--code-repeat` rounds), each build in a child process."""
    codes = [spec.partition("=")[::2] for spec in args.code]
    if any(not label or not folder for label, folder in codes):
        raise SystemExit(f"--code takes LABEL=DIR, e.g. before=/tmp/main (got {args.code})")
    here = str(Path(__file__).resolve().parent.parent)
    if args.code_langchain:
        codes.append(("langchain", here))
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in codes}
    script = str(Path(__file__).resolve().parent / "build_once.py")
    for _ in range(args.code_repeat):
        for label, folder in codes:
            command = [script, "--sources", str(sources), "--index", str(args.work / label)]
            command += ["--backend", args.backend] + (
                ["--langchain"] if label == "langchain" else []
            )
            got = benchlib.run_child(command, env={"PYTHONPATH": str(Path(folder).resolve())})
            got["load_avg_1m"] = os.getloadavg()[0]
            runs[label].append(got)
            print(
                f"[indexing] child {label} ({got['package']}): {got['s']:.1f} s, "
                f"CPU {got['cpu_s']:.1f} s, load {got['load_avg_1m']:.1f}",
                flush=True,
            )
    found = {
        label: {
            "runs": got,
            "median_s": statistics.median(r["s"] for r in got),
            "median_cpu_s": statistics.median(r["cpu_s"] for r in got),
        }
        for label, got in runs.items()
        if got
    }
    if "langchain" in found:
        for got in found.values():
            got["over_langchain_s"] = got["median_s"] / found["langchain"]["median_s"]
            got["over_langchain_cpu"] = got["median_cpu_s"] / found["langchain"]["median_cpu_s"]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=25)
    parser.add_argument("--generated", type=int, default=25)
    parser.add_argument("--queries", type=int, default=86, help="timed asks")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-indexing"))
    parser.add_argument("--backend", default="onnx", choices=["onnx", "torch", "onnx-int8"])
    parser.add_argument(
        "--code",
        action="append",
        default=[],
        metavar="LABEL=DIR",
        help="also time (b) with the `assistant` package of checkout DIR, in a child process",
    )
    parser.add_argument("--code-repeat", type=int, default=1, help="rounds of the --code builds")
    parser.add_argument(
        "--code-langchain", action="store_true", help="a LangChain build in each --code round"
    )
    parser.add_argument(
        "--name", default="indexing", help="result file benchmarks/results/NAME.json"
    )
    args = parser.parse_args()

    from langchain_huggingface import HuggingFaceEmbeddings

    from assistant import Assistant
    from assistant.config import DEFAULT_EMBEDDING_MODEL
    from assistant.evaluation.baselines import LangChainBaseline, load_corpus
    from assistant.index.embeddings import load_embeddings
    from assistant.index.models import model_path

    sources = args.work / "sources"
    make_corpus(sources, args.copies, args.generated)
    began = time.perf_counter()
    embeddings = load_embeddings(DEFAULT_EMBEDDING_MODEL, args.backend)
    embeddings.embed_documents(["warm-up"])
    loaded = time.perf_counter() - began
    # The plain LangChain user's embeddings: no thread setting of ours (ours pins PyTorch to
    # one thread, for queries), so PyTorch uses every core for the baseline's batches.
    plain = HuggingFaceEmbeddings(
        model_name=str(model_path(DEFAULT_EMBEDDING_MODEL)),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 64},
    )
    plain.embed_documents(["warm-up"])
    result: dict[str, Any] = {
        "command": " ".join(sys.argv),
        "load_avg_1m_start": os.getloadavg()[0],
        "backend": args.backend,
        "model_load_s": loaded,
        "corpus_mb": benchlib.text_mb(sources),
        "files": args.copies + args.generated,
    }
    print(f"[indexing] corpus {result['corpus_mb']:.2f} MiB in {result['files']} files", flush=True)

    texts = sorted(set(our_texts(sources)))
    began = time.perf_counter()
    embeddings.embed_documents(texts)
    result["a_encode_ours"] = {
        "s": time.perf_counter() - began,
        "texts": len(texts),
        "chars": sum(map(len, texts)),
    }
    print(
        f"[indexing] (a) encode our {len(texts)} sentences: {result['a_encode_ours']['s']:.1f} s",
        flush=True,
    )

    index = args.work / "index"
    shutil.rmtree(index, ignore_errors=True)
    began = time.perf_counter()
    assistant = Assistant.open(sources=sources, index=index, embeddings=embeddings)
    result["b_ours"] = {
        "s": time.perf_counter() - began,
        "chunks": sum(s.chunks for s in assistant.sources() if s.parent is None),
        "index_mb": benchlib.disk_mb(index),
    }
    print(f"[indexing] (b) our build: {result['b_ours']['s']:.1f} s", flush=True)
    result["b_code"] = time_checkouts(args, sources)

    began = time.perf_counter()
    corpus = load_corpus(sources)
    split = time.perf_counter() - began
    baseline = LangChainBaseline(corpus, embeddings=plain, folder=args.work / "langchain")
    result["c_langchain"] = {
        "s": time.perf_counter() - began,
        "split_s": split,
        "chunks": len(corpus.chunks),
        "index_mb": benchlib.disk_mb(args.work / "langchain"),
    }
    print(f"[indexing] (c) LangChain build: {result['c_langchain']['s']:.1f} s", flush=True)

    chunk_texts = [c.text for c in corpus.chunks]
    began = time.perf_counter()
    plain.embed_documents(chunk_texts)
    result["a_encode_langchain_chunks"] = {
        "s": time.perf_counter() - began,
        "texts": len(chunk_texts),
    }

    a, b, c = (result["a_encode_ours"]["s"], result["b_ours"]["s"], result["c_langchain"]["s"])
    result["ratios"] = {
        "ours_over_langchain": b / c,
        "ours_over_raw_encoder": b / a,
        "langchain_over_raw_encoder_on_its_chunks": c / result["a_encode_langchain_chunks"]["s"],
        "our_encoder_over_langchain_encoder": a / result["a_encode_langchain_chunks"]["s"],
        # The children's medians over their own LangChain child's, when it ran (wall, CPU).
        **{
            f"child_{label}_over_child_langchain": (
                got["over_langchain_s"],
                got["over_langchain_cpu"],
            )
            for label, got in result["b_code"].items()
            if "over_langchain_s" in got and label != "langchain"
        },
    }
    result["throughput_kb_s"] = {
        "ours": 1024 * result["corpus_mb"] / b,
        "langchain": 1024 * result["corpus_mb"] / c,
    }

    questions = (benchlib.questions_text() * 10)[: args.queries]
    assistant.ask(questions[0])
    result["ask_ours"] = benchlib.latency(benchlib.timed_calls(assistant.ask, questions))
    baseline.ask(questions[0])
    result["ask_langchain"] = benchlib.latency(benchlib.timed_calls(baseline.ask, questions))
    result["embed_query"] = benchlib.latency(
        benchlib.timed_calls(embeddings.embed_query, questions)
    )
    assistant.close()
    baseline.close()
    shutil.rmtree(args.work, ignore_errors=True)
    for key in ("ratios", "throughput_kb_s", "ask_ours", "ask_langchain", "embed_query"):
        print(f"[indexing] {key}: {result[key]}")
    print(f"[indexing] wrote {benchlib.save(args.name, result)}")


if __name__ == "__main__":
    main()

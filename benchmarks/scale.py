"""Scale: build time, index size, memory, open time, warm ask latency and adding one document,
on generated corpora of N chunks (paragraphs of 2-4 sentences, 100 paragraphs a file).

Each measurement runs in a fresh process so memory and open time are its own. `--hash-sizes`
use a fast deterministic hashing embedding (not a model) to measure everything but the
encoder; `--real-sizes` use the packaged MiniLM model. The single-query encoder time of the
real model is measured too, to add to the hashing latencies.

    .venv/bin/python benchmarks/scale.py                  # 1k, 10k hashing + 1k real: < 15 min
    .venv/bin/python benchmarks/scale.py --hash-sizes 1000 10000 100000 --real-sizes 1000
                                                          # the full run: about 40 minutes
    .venv/bin/python benchmarks/scale.py --hash-sizes --real-sizes --keyword-sizes 100000
                                                          # the keyword search alone, on an
                                                          # FTS5 catalog (no vectors): minutes

`--keyword-sizes` times, question by question and in turns, the catalog's keyword search with
every word of the question (as below ASSISTANT_KEYWORD_LIMIT_FROM_CHUNKS) and with the words
`KeywordLimit` keeps above it (the settings' values, or each `--keyword-limits`
FRACTION:TERMS[:POSTINGS]),
and how many of the 30 chunks found with every word are still found.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib

PER_FILE = 100


def corpus(work: Path, chunks: int) -> Path:
    """The generated sources folder for `chunks` paragraphs (made once, then reused)."""
    folder = work / f"corpus-{chunks}"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        benchlib.write_generated(folder, chunks, per_file=PER_FILE, seed=chunks)
        done.write_text("ok")
    return folder


def embeddings(mode: str) -> Any:
    if mode == "hash":
        return benchlib.HashingEmbeddings()
    from assistant.config import DEFAULT_EMBEDDING_MODEL
    from assistant.index.embeddings import load_embeddings

    return load_embeddings(DEFAULT_EMBEDDING_MODEL)


def child_build(sources: Path, index: Path, mode: str) -> dict[str, Any]:
    from assistant import Assistant

    shutil.rmtree(index, ignore_errors=True)
    began = time.perf_counter()
    emb = embeddings(mode)
    loaded = time.perf_counter()
    assistant = Assistant.open(sources=sources, index=index, embeddings=emb)
    built = time.perf_counter()
    infos = assistant.sources()
    chunks = sum(s.chunks for s in infos if s.parent is None)
    report = assistant.reindex()  # nothing to do: the cost of a no-change sync
    assistant.close()
    return {
        "model_load_s": loaded - began,
        "build_s": built - loaded,
        "chunks": chunks,
        "sources": len([s for s in infos if s.parent is None]),
        "noop_sync_s": report.seconds,
        **benchlib.rss_mb(),
    }


def child_query(sources: Path, index: Path, mode: str, queries: int) -> dict[str, Any]:
    began = time.perf_counter()
    import chromadb  # noqa: F401 - imported here so open_s below is the open alone
    import langchain_chroma  # noqa: F401

    from assistant import Assistant

    imported = time.perf_counter() - began
    began = time.perf_counter()
    emb = embeddings(mode)
    loaded = time.perf_counter()
    assistant = Assistant.open(sources=sources, index=index, embeddings=emb)
    opened = time.perf_counter()
    after_open = benchlib.rss_mb()
    questions = (benchlib.questions_text() * 10)[:queries]
    assistant.ask(questions[0])  # warm-up
    ask_ms = benchlib.timed_calls(assistant.ask, questions)
    retrieve_ms = benchlib.timed_calls(lambda q: assistant.retrieve(q, k=5), questions)
    encode_ms = benchlib.timed_calls(emb.embed_query, questions)
    assistant.close()
    return {
        "import_s": imported,
        "model_load_s": loaded - began,
        "open_s": opened - loaded,
        "rss_after_open_mb": after_open["rss_mb"],
        "ask": benchlib.latency(ask_ms),
        "retrieve": benchlib.latency(retrieve_ms),
        "embed_query": benchlib.latency(encode_ms),
        **benchlib.rss_mb(),
    }


def child_add(sources: Path, index: Path, mode: str, paragraphs: int) -> dict[str, Any]:
    from assistant import Assistant
    from assistant.ingest.sources import scan
    from assistant.ingest.sync import prepare

    emb = embeddings(mode)
    assistant = Assistant.open(sources=sources, index=index, embeddings=emb)
    new = index.parent / "new-document.txt"
    gen = benchlib.ParagraphGenerator(seed=999_999)
    new.write_text(gen.document(paragraphs, "A newly arrived commentary"), encoding="utf-8")
    began = time.perf_counter()
    report = assistant.add_source(new)
    seconds = time.perf_counter() - began
    target = sources / new.name
    # What the real encoder would add: embedding this document's sentences with MiniLM.
    item = prepare(next(f for f in scan(sources) if f.id == target.name))
    texts = [f"{c.context}: {s.text}" for c in item.chunks for s in c.sentences]
    # Removed again (file and index), so the index is as built and the add can be re-run.
    began = time.perf_counter()
    assistant.remove_source(target.name)
    removed = time.perf_counter() - began
    assistant.close()
    target.unlink(missing_ok=True)
    (sources / f"{target.name}.meta.json").unlink(missing_ok=True)
    real = embeddings("real")
    real.embed_documents(texts[:8])  # warm-up: the first call pays one-time costs
    began = time.perf_counter()
    real.embed_documents(texts)
    encode = time.perf_counter() - began
    return {
        "add_s": seconds,
        "remove_s": removed,
        "chunks_embedded": report.chunks_embedded,
        "added": report.added,
        "real_encode_s": encode,
        "sentences": len(texts),
    }


def keyword_catalog(sources: Path, index: Path) -> tuple[Any, float]:
    """The catalog (no vectors) of the sources in `sources`, built once; (catalog, build s)."""
    from assistant.index.catalog import Catalog
    from assistant.ingest.sources import scan
    from assistant.ingest.sync import prepare

    done = index / ".complete"
    if not done.exists():
        shutil.rmtree(index, ignore_errors=True)
    catalog = Catalog(index)
    began = time.perf_counter()
    if not done.exists():
        for file in scan(sources):
            item = prepare(file)
            catalog.put_source(item.row, item.text, item.chunks)
        done.write_text("ok")
    return catalog, time.perf_counter() - began


def child_keyword(sources: Path, index: Path, limits: str, queries: int) -> dict[str, Any]:
    """Keyword search with every word against the limited words, timed in turns; a limit
    `joined` also through the catalog's filtered query, every kind as the filter (the query
    the unfiltered search ran before it found the best rows ahead of their ids)."""
    from assistant.answering.keywords import KeywordLimit
    from assistant.answering.retrieve import KEYWORD_CANDIDATES
    from assistant.config import Settings
    from assistant.index.text import terms

    catalog, built = keyword_catalog(sources, index)
    settings = Settings()
    variants: dict[str, KeywordLimit | None] = {"every word": None}
    joined = "joined" in limits.split(",")
    for spec in limits.split(","):
        if spec == "joined":
            continue
        if spec == "settings":
            fraction, most = settings.keyword_common_fraction, settings.keyword_max_terms
            postings = settings.keyword_max_postings
        else:
            parts = spec.split(":")
            fraction, most = float(parts[0]), int(parts[1])
            postings = int(parts[2]) if len(parts) > 2 else None
        name = f"{fraction}:{most}" + ("" if postings is None else f":{postings}")
        variants[name] = KeywordLimit(0, fraction, most, postings)
    if joined:
        variants.update({f"{name}, joined": limit for name, limit in variants.items()})
    kinds = sorted(catalog.kinds())
    questions = (benchlib.questions_text() * 10)[:queries]
    chunks = catalog.chunk_count()
    catalog.keyword_search(terms(questions[0]), KEYWORD_CANDIDATES)  # warm-up
    frequency_ms: list[float] = []
    times: dict[str, list[float]] = {name: [] for name in variants}
    words: dict[str, list[int]] = {name: [] for name in variants}
    overlap: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for i, question in enumerate(questions):
        asked = terms(question)
        began = time.perf_counter()
        frequency = {w: catalog.document_frequency(w) for w in dict.fromkeys(asked)}
        frequency_ms.append((time.perf_counter() - began) * 1000.0)
        found: dict[str, set[str]] = {}
        for name in names[i % len(names) :] + names[: i % len(names)]:  # in turns
            limit = variants[name]
            searched = asked if limit is None else limit.words(asked, frequency, chunks)
            began = time.perf_counter()
            filtered = kinds if name.endswith(", joined") else None
            hits = catalog.keyword_search(searched, KEYWORD_CANDIDATES, filtered)
            times[name].append((time.perf_counter() - began) * 1000.0)
            words[name].append(len(set(searched)))
            found[name] = {c for c, _ in hits}
        for name in names:
            every = found["every word"]
            overlap[name].append(len(found[name] & every) / len(every) if every else 1.0)
    catalog.close()
    return {
        "chunks": chunks,
        "catalog_build_s": built,
        "catalog_mb": benchlib.disk_mb(index),
        "document_frequencies": benchlib.latency(frequency_ms),
        "search": {
            name: {
                **benchlib.latency(times[name]),
                "words_mean": sum(words[name]) / len(words[name]),
                "overlap_with_every_word": sum(overlap[name]) / len(overlap[name]),
            }
            for name in names
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hash-sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--real-sizes", type=int, nargs="*", default=[1000])
    parser.add_argument("--queries", type=int, default=60, help="timed asks per size")
    parser.add_argument("--add-paragraphs", type=int, default=30)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-scale"))
    parser.add_argument("--keep", action="store_true", help="keep the indexes afterwards")
    parser.add_argument("--name", default="scale", help="result file benchmarks/results/NAME.json")
    parser.add_argument(
        "--keyword-sizes",
        type=int,
        nargs="*",
        default=[],
        help="also time the keyword search alone on an FTS5 catalog of these many chunks",
    )
    parser.add_argument(
        "--keyword-limits",
        nargs="*",
        default=["settings"],
        help="FRACTION:TERMS[:POSTINGS] limits to compare with every word (`settings`: the "
        "settings' own; `joined`: each also through the filtered query)",
    )
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, sources, index, mode, extra = args.child
        if kind == "build":
            out = child_build(Path(sources), Path(index), mode)
        elif kind == "query":
            out = child_query(Path(sources), Path(index), mode, int(extra))
        elif kind == "keyword":
            out = child_keyword(Path(sources), Path(index), mode, int(extra))
        else:
            out = child_add(Path(sources), Path(index), mode, int(extra))
        print(json.dumps(out))
        return

    args.work.mkdir(parents=True, exist_ok=True)
    runs = [(n, "hash") for n in args.hash_sizes] + [(n, "real") for n in args.real_sizes]
    results: list[dict[str, Any]] = []
    me = str(Path(__file__).resolve())
    for n, mode in sorted(runs, key=lambda r: (r[1] == "hash", r[0])):
        began = time.perf_counter()
        sources = corpus(args.work, n)
        made = time.perf_counter() - began
        index = args.work / f"index-{mode}-{n}"
        print(f"[scale] {mode} {n} chunks: building ...", flush=True)
        build = benchlib.run_child([me, "--child", "build", str(sources), str(index), mode, "0"])
        size = benchlib.disk_mb(index)
        query = benchlib.run_child(
            [me, "--child", "query", str(sources), str(index), mode, str(args.queries)]
        )
        row: dict[str, Any] = {
            "chunks_target": n,
            "embedding": mode,
            "corpus_mb": benchlib.text_mb(sources),
            "generate_s": made,
            "build": build,
            "index_mb": size,
            "chroma_mb": benchlib.disk_mb(index / "chroma"),
            "query": query,
        }
        results.append(row)
        print(f"[scale] {json.dumps(row)}", flush=True)
    largest = max(
        (r for r in results if r["embedding"] == "hash"),
        key=lambda r: r["chunks_target"],
        default=None,
    )
    add: dict[str, Any] | None = None
    if largest is not None:
        n = largest["chunks_target"]
        add = benchlib.run_child(
            [
                me,
                "--child",
                "add",
                str(corpus(args.work, n)),
                str(args.work / f"index-hash-{n}"),
                "hash",
                str(args.add_paragraphs),
            ]
        )
        add["index_chunks"] = largest["build"]["chunks"]
        print(f"[scale] add one document: {json.dumps(add)}", flush=True)
    keyword: list[dict[str, Any]] = []
    for n in args.keyword_sizes:
        began = benchlib.machine()["load_avg_1m"]
        limits = ",".join(args.keyword_limits)
        index = args.work / f"catalog-{n}"
        run = [me, "--child", "keyword", str(corpus(args.work, n)), str(index), limits]
        keyword.append({"load_start": began, **benchlib.run_child([*run, str(args.queries)])})
        keyword[-1]["load_end"] = benchlib.machine()["load_avg_1m"]
        print(f"[scale] keyword search: {json.dumps(keyword[-1])}", flush=True)
    path = benchlib.save(
        args.name,
        {"command": " ".join(sys.argv), "runs": results, "add": add, "keyword": keyword},
    )
    if not args.keep:
        for r in results:
            shutil.rmtree(
                args.work / f"index-{r['embedding']}-{r['chunks_target']}", ignore_errors=True
            )
    print(f"[scale] wrote {path}")


if __name__ == "__main__":
    main()

"""The add path, call by call: each store and catalog call that adding one document makes,
timed on a server folder and index that `benchmarks/scale_server.py` built (and kept).

Starts `chroma run` on the kept server folder, then times, on the document scale.py adds
(not stored): the vector lookup by content hash, deleting the (absent) source's vectors, the
store's `count()` against the catalog's, listing every id (what `repair` does when they
disagree), writing its vectors, deleting them again by id, and the catalog's copy check.

    .venv/bin/python benchmarks/add_path.py --chunks 30000 --work /tmp/addpath --name NAME
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib
import scale_server


def timed(calls: dict[str, float], name: str, call: Callable[[], Any], repeat: int = 3) -> Any:
    """Run `call` `repeat` times; record the median seconds under `name`; return its result."""
    seconds: list[float] = []
    result: Any = None
    for _ in range(repeat):
        began = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - began)
    calls[name] = sorted(seconds)[len(seconds) // 2]
    return result


def probe(work: Path, chunks: int, paragraphs: int) -> dict[str, Any]:
    from assistant.index.catalog import Catalog
    from assistant.index.store import VectorStore
    from assistant.ingest.duplicates import find_copy
    from assistant.ingest.sources import scan
    from assistant.ingest.sync import _metadata, prepare

    index = work / f"index-server-{chunks}"
    new = work / "probe" / "new-document.txt"
    new.parent.mkdir(exist_ok=True)
    gen = benchlib.ParagraphGenerator(seed=999_999)
    new.write_text(gen.document(paragraphs, "A newly arrived commentary"), encoding="utf-8")
    item = prepare(next(f for f in scan(new.parent) if f.id == new.name))
    ids, texts, metas = _metadata(item)
    hashes = [m["hash"] for m in metas]
    emb = benchlib.HashingEmbeddings()
    store = VectorStore(emb, url=os.environ["ASSISTANT_CHROMA_URL"])
    catalog = Catalog(index)
    calls: dict[str, float] = {}
    vectors = emb.embed_documents(texts)
    out: dict[str, Any] = {"sentences": len(ids), "vectors": timed(calls, "count", store.count)}
    out["catalog_sentences"] = timed(calls, "catalog.sentence_count", catalog.sentence_count)
    timed(calls, "vectors_by_hash", lambda: store.vectors_by_hash(hashes))
    timed(calls, "delete_source (where source)", lambda: store.delete_source(item.row.id))
    timed(calls, "find_copy (catalog texts)", lambda: find_copy(catalog, item.text), repeat=1)
    timed(calls, "catalog.sentence_ids", catalog.sentence_ids, repeat=1)
    timed(calls, "ids() (repair)", store.ids, repeat=1)
    timed(calls, "add (upsert)", lambda: store.add(ids, texts, metas, vectors=vectors), repeat=1)
    timed(calls, "vectors (by id)", lambda: store.vectors(ids))
    timed(calls, "delete (by ids)", lambda: store.delete(ids), repeat=1)
    catalog.close()
    new.unlink()
    out["seconds"] = calls
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, required=True)
    parser.add_argument("--add-paragraphs", type=int, default=30)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-scale"))
    parser.add_argument("--name", default="add-path", help="benchmarks/results/NAME.json")
    args = parser.parse_args()
    server_dir = args.work / f"server-{args.chunks}"
    if not (args.work / f"server-{args.chunks}.built").exists():
        raise SystemExit(f"no finished build in {server_dir}; run benchmarks/scale_server.py")
    row: dict[str, Any] = {"command": " ".join(sys.argv), "load_start": os.getloadavg()[0]}
    port = scale_server.free_port()
    server = scale_server.start_server(server_dir, port)
    os.environ["ASSISTANT_CHROMA_URL"] = f"http://127.0.0.1:{port}"
    try:
        row.update(probe(args.work, args.chunks, args.add_paragraphs))
    finally:
        server.terminate()
        server.wait(timeout=30)
    row["load_end"] = os.getloadavg()[0]
    print(json.dumps(row, indent=2))
    print(f"[add-path] wrote {benchlib.save(args.name, row)}")


if __name__ == "__main__":
    main()

"""Index a sources folder in a process of its own, so a test can kill it part-way.

    python tests/helpers/index_worker.py SOURCES INDEX [--sleep S] [--kill-at POINT:N]

Uses the keyword-hashing fake embeddings, slowed by `--sleep` seconds per batch so that kills
land mid-way. Prints `ready` when the index is open and indexing begins, one `progress`
line per embedded batch, then `done <report as JSON>`; on IndexBusyError it prints
`busy: <message>` and exits with 3.

`--kill-at POINT:N` makes the process die abruptly at the N-th (1-based) arrival at POINT:
  vectors  right after a source's vectors are stored, before its catalog transaction;
  catalog  inside a catalog transaction, after the old rows are deleted, before the commit;
  upsert   inside Chroma's write, `--kill-after` seconds after it starts (SIGALRM with its
           default action ends the process from the kernel even while Rust code holds the GIL).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tests/, for fakes.py

import fakes  # noqa: E402

BUSY_EXIT = 3


class KeywordEmbeddings(fakes.KeywordEmbeddings):
    """The keyword fake, sleeping per batch of documents like a real model does.

    Same class name as the fake, so the index records the same model id ("custom:<name>") as
    an index built in the test process with `fakes.KeywordEmbeddings`.
    """

    def __init__(self, sleep: float) -> None:
        super().__init__()
        self.sleep = sleep

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors for texts to store, after a pause."""
        time.sleep(self.sleep)
        return super().embed_documents(texts)


def die() -> None:
    """End the process the way SIGKILL does: no cleanup, no flush, no atexit."""
    os.kill(os.getpid(), signal.SIGKILL)


def arm(point: str, nth: int, after: float) -> None:
    """Patch the write path so the process dies at the nth arrival at `point`."""
    seen = {"n": 0}

    def arrived() -> bool:
        seen["n"] += 1
        return seen["n"] == nth

    if point == "vectors":
        from assistant.index.store import VectorStore

        add = VectorStore.add

        def add_then_die(self: Any, *args: Any, **kwargs: Any) -> None:
            add(self, *args, **kwargs)
            if arrived():
                die()

        VectorStore.add = add_then_die  # type: ignore[method-assign]
    elif point == "catalog":
        from assistant.index.catalog import Catalog

        delete = Catalog._delete

        def delete_then_die(self: Any, source: str) -> list[str]:
            hashes = delete(self, source)
            if arrived():
                die()
            return hashes

        Catalog._delete = delete_then_die  # type: ignore[method-assign]
    elif point == "upsert":
        from chromadb.api.models.Collection import Collection

        upsert = Collection.upsert

        def upsert_and_die(self: Any, *args: Any, **kwargs: Any) -> Any:
            if arrived():
                signal.signal(signal.SIGALRM, signal.SIG_DFL)
                signal.setitimer(signal.ITIMER_REAL, after)
                result = upsert(self, *args, **kwargs)
                print("upsert-returned", flush=True)  # the timer was too slow: test says so
                time.sleep(10)
                return result
            return upsert(self, *args, **kwargs)

        Collection.upsert = upsert_and_die  # type: ignore[method-assign]
    else:
        raise SystemExit(f"unknown kill point {point!r}")


def main() -> int:
    """Run one indexing pass as the options say."""
    parser = argparse.ArgumentParser()
    parser.add_argument("sources")
    parser.add_argument("index")
    parser.add_argument("--sleep", type=float, default=0.0)
    parser.add_argument("--kill-at", default="")
    parser.add_argument("--kill-after", type=float, default=0.002)
    parser.add_argument(
        "--wait",
        type=float,
        default=None,
        help="seconds to wait for another writer (default: the library's)",
    )
    args = parser.parse_args()

    from assistant import Assistant
    from assistant.errors import IndexBusyError
    from assistant.ingest import sync

    if args.kill_at:
        point, _, nth = args.kill_at.partition(":")
        arm(point, int(nth or 1), args.kill_after)
    if args.wait is not None:
        lock = sync.writer_lock

        def writer_lock(index: Path, wait: float = args.wait) -> Any:
            return lock(index, wait=args.wait)

        sync.writer_lock = writer_lock  # type: ignore[assignment]

    def progress(done: int, total: int, source: str) -> None:
        print(f"progress {done} {total} {source}", flush=True)

    assistant = Assistant.open(
        sources=args.sources, index=args.index, embeddings=KeywordEmbeddings(args.sleep), sync=False
    )
    print("ready", flush=True)
    try:
        report = assistant.reindex(progress=progress)
    except IndexBusyError as exc:
        print(f"busy: {exc}", flush=True)
        return BUSY_EXIT
    print("done " + json.dumps(dataclasses.asdict(report)), flush=True)
    assistant.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

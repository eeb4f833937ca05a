"""Warm `Assistant.ask` latency over labelled questions, for one checkout of the code.

    .venv/bin/python benchmarks/warm_ask.py                       # this checkout
    .venv/bin/python benchmarks/warm_ask.py --code /tmp/old       # another (a `git worktree`)

Opens an Assistant on a fresh index of `sources/` (real model, extractive answers), asks five
questions to warm it, then asks every question of the files (with their conversation history)
`--repeat` times and prints p50 / p95 of one ask in milliseconds. `--code` runs another
checkout's package over the same questions, so two versions can be compared in one run; on
this shared machine compare their ratio, not the absolute numbers of different runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EVAL = ROOT / "tests" / "data" / "eval"
FILES = ["holdout.jsonl", "paraphrased.jsonl", "near-negative.jsonl"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose package runs")
    parser.add_argument(
        "--files", nargs="*", default=FILES, help="question files in tests/data/eval"
    )
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--name", help="also save benchmarks/results/NAME.json")
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    sys.path.insert(1, str(HERE))
    import benchlib

    from assistant import Assistant
    from assistant.evaluation.harness import load_questions

    questions = [q for f in args.files for q in load_questions(EVAL / f)]
    with tempfile.TemporaryDirectory(prefix="bench-warm-") as index:
        assistant = Assistant.open(sources=ROOT / "sources", index=Path(index))
        try:
            for q in questions[:5]:
                assistant.ask(q.question)
            ms = benchlib.timed_calls(
                lambda q: assistant.ask(q.question, history=list(q.history) or None),
                [q for _ in range(args.repeat) for q in questions],
            )
        finally:
            assistant.close()
    result = {"code": str(args.code), "files": args.files, **benchlib.latency(ms)}
    print(json.dumps(result))
    if args.name:
        benchlib.save(args.name, result)


if __name__ == "__main__":
    main()

"""Quality: the assistant against the two baselines, on the same questions, texts and model.

Builds a fresh index of `sources/` in a temporary folder, loads the packaged model once and
gives the same embeddings object to the assistant and to the LangChain baseline.

    .venv/bin/python benchmarks/quality.py                  # every question file
    .venv/bin/python benchmarks/quality.py --questions /work/shared/eval/dev.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, default=benchlib.ROOT / "sources")
    parser.add_argument("--questions", type=Path, nargs="*", default=benchlib.question_files())
    parser.add_argument("--name", default="quality", help="result file name")
    args = parser.parse_args()

    from assistant import Assistant
    from assistant.config import DEFAULT_EMBEDDING_MODEL
    from assistant.evaluation import baselines
    from assistant.evaluation.harness import (
        evaluate,
        format_table,
        load_questions,
        summarize,
        to_json,
    )
    from assistant.index.embeddings import load_embeddings

    sets = {path.name: load_questions(path) for path in args.questions}
    questions = [q for qs in sets.values() for q in qs]
    embeddings = load_embeddings(DEFAULT_EMBEDDING_MODEL)
    with tempfile.TemporaryDirectory(prefix="bench-quality-") as tmp:
        began = time.perf_counter()
        assistant = Assistant.open(
            sources=args.sources, index=Path(tmp) / "index", embeddings=embeddings
        )
        build = {"assistant_s": time.perf_counter() - began}
        began = time.perf_counter()
        systems = baselines.build_baselines(args.sources, embeddings=embeddings)
        build["baselines_s"] = time.perf_counter() - began
        try:
            reports = [evaluate(assistant, questions, name="assistant")]
            reports += [evaluate(system, questions) for system in systems]
        finally:
            baselines.close_all(systems)
            assistant.close()
    table = format_table(reports)
    print(table)
    per_set = {}
    for name, qs in sets.items():
        ids = {q.id for q in qs}
        per_set[name] = [summarize(r.name, [o for o in r.outcomes if o.id in ids]) for r in reports]
        print(f"\n{name}\n{format_table(per_set[name])}")
    data = {
        "command": " ".join(sys.argv),
        "question_files": [str(p) for p in args.questions],
        "build": build,
        "table": table,
        "reports": json.loads(to_json(reports))["reports"],
        "per_set": {
            name: json.loads(to_json(rs, outcomes=False))["reports"] for name, rs in per_set.items()
        },
    }
    print(f"wrote {benchlib.save(args.name, data)}")


if __name__ == "__main__":
    main()

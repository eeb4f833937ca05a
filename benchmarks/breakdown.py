"""Answer quality by kind of question: answerable or not, `type`, `style`, follow-up turns.

A thin caller of the evaluation harness (`assistant.evaluation.kinds` does the counting), on a
fresh index of `sources/` built in a temporary folder. Questions a file leaves unlabelled count
as "unlabelled".

    .venv/bin/python benchmarks/breakdown.py                               # the held-out files
    .venv/bin/python benchmarks/breakdown.py --questions tests/data/eval/paraphrased.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib

EVAL = benchlib.ROOT / "tests" / "data" / "eval"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--questions",
        type=Path,
        nargs="*",
        default=[EVAL / "holdout.jsonl", EVAL / "holdout-2.jsonl"],
    )
    parser.add_argument("--name", default="breakdown", help="result file name")
    args = parser.parse_args()

    from assistant import Assistant
    from assistant.evaluation.harness import evaluate, format_kinds, load_questions, to_json

    questions = [q for path in args.questions for q in load_questions(path)]
    with tempfile.TemporaryDirectory(prefix="bench-breakdown-") as tmp:
        assistant = Assistant.open(sources=benchlib.ROOT / "sources", index=Path(tmp))
        try:
            report = evaluate(assistant, questions, name="assistant")
        finally:
            assistant.close()
    result = {
        "files": [p.name for p in args.questions],
        "by_kind": json.loads(to_json(report, outcomes=False))["reports"][0]["by_kind"],
        "median_words": report.median_words,
    }
    print(format_kinds([report]))
    print(f"median answer length: {report.median_words} words")
    print(f"wrote {benchlib.save(args.name, result)}")


if __name__ == "__main__":
    main()

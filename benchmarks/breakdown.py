"""Answer quality by kind of question: worded or paraphrased, near-topic or off-topic, last turns.

Reads the `style` labels of the question files (lines without one count as "unlabelled") and
builds a fresh index of `sources/` in a temporary folder.

    .venv/bin/python benchmarks/breakdown.py                               # the holdout file
    .venv/bin/python benchmarks/breakdown.py --questions tests/data/eval/paraphrased.jsonl
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib

EVAL = benchlib.ROOT / "tests" / "data" / "eval"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, nargs="*", default=[EVAL / "holdout.jsonl"])
    parser.add_argument("--name", default="breakdown", help="result file name")
    args = parser.parse_args()

    from assistant import Assistant
    from assistant.evaluation.harness import is_correct, load_questions

    styles = {}
    for path in args.questions:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                styles[row["id"]] = row.get("style", "unlabelled")
    questions = [q for path in args.questions for q in load_questions(path)]
    flags: dict[str, list[bool]] = defaultdict(list)
    words: list[int] = []
    with tempfile.TemporaryDirectory(prefix="bench-breakdown-") as tmp:
        assistant = Assistant.open(sources=benchlib.ROOT / "sources", index=Path(tmp))
        for q in questions:
            answer = assistant.ask(q.question, history=list(q.history) or None)
            style = styles.get(q.id, "unlabelled")
            if q.answerable:
                right = is_correct(answer, q)
                flags["answerable: right"].append(right)
                flags[f"answerable, {style}: right"].append(right)
                flags["answerable: wrongly declined"].append(answer.abstained)
                if q.history:
                    flags["conversation, last turn: right"].append(right)
                if not answer.abstained:
                    words.append(len(answer.text.split()))
            else:
                flags["unanswerable: declined"].append(answer.abstained)
                flags[f"unanswerable, {style}: declined"].append(answer.abstained)
    rows = {k: {"share": round(sum(v) / len(v), 3), "n": len(v)} for k, v in sorted(flags.items())}
    result = {
        "files": [p.name for p in args.questions],
        "rows": rows,
        "median_words": statistics.median(words) if words else None,
        "machine": benchlib.machine(),
    }
    print("| measure | share | n |\n| --- | ---: | ---: |")
    for key, row in rows.items():
        print(f"| {key} | {row['share']:.2f} | {row['n']} |")
    print(f"median answer length: {result['median_words']} words")
    benchlib.save(args.name, result)


if __name__ == "__main__":
    main()

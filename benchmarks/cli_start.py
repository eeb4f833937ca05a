"""CLI start: each command timed from a new process on a built index.

    .venv/bin/python benchmarks/cli_start.py [--runs 3]

Builds an index of the shipped commentary once (that loads the model and makes the ONNX export
if it is not cached yet), then times each command `--runs` times, interleaved: the commands that
need no model, and a real question under the ONNX (default) and PyTorch backends.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "assistant"
QUESTION = "Who can take part in CWG-Internet?"
COMMANDS: tuple[tuple[str, list[str]], ...] = (
    ("onnx", ["sources"]),
    ("onnx", ["--help"]),
    ("onnx", ["ask", "  "]),
    ("onnx", ["ask", "Any?", "--kind", "resolutoin"]),
    ("onnx", ["ask", QUESTION]),
    ("torch", ["ask", QUESTION]),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    with tempfile.TemporaryDirectory() as work:
        sources = Path(work) / "sources"
        shutil.copytree(ROOT / "sources", sources)
        place = ["--sources", str(sources), "--index", str(Path(work) / "index")]
        subprocess.run([str(CLI), *place, "index"], env=env, check=True, capture_output=True)
        times: dict[int, list[float]] = {i: [] for i in range(len(COMMANDS))}
        for _ in range(args.runs):
            for i, (backend, command) in enumerate(COMMANDS):
                began = time.perf_counter()
                subprocess.run(
                    [str(CLI), *place, *command],
                    env={**env, "ASSISTANT_EMBEDDING_BACKEND": backend},
                    capture_output=True,
                    check=command[0] == "--help" or command[-1] == QUESTION,
                )
                times[i].append(time.perf_counter() - began)
        rows = [
            {
                "command": " ".join(command)
                + (
                    f"  (backend {backend})"
                    if command[0] == "ask" and command[-1] == QUESTION
                    else ""
                ),
                "median_s": statistics.median(times[i]),
                "runs_s": times[i],
            }
            for i, (backend, command) in enumerate(COMMANDS)
        ]
    load = os.getloadavg()[0]
    print(f"load {load:.1f}")
    print("| command | median s | runs s |\n| --- | ---: | --- |")
    for r in rows:
        runs = ", ".join(f"{t:.2f}" for t in r["runs_s"])
        print(f"| `assistant {r['command']}` | **{r['median_s']:.2f}** | {runs} |")
    out = ROOT / "benchmarks" / "results" / "cli_start.json"
    out.write_text(json.dumps({"load_avg_1m": load, "rows": rows}, indent=2), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

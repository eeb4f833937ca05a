"""Editions: `assistant compare` and `assistant verify` timed from a new process, and
`Assistant.compare` in process, on an index of the two invented editions in tests/data/editions.

    PYTHONPATH=. .venv/bin/python benchmarks/editions.py [--runs 3]

Builds the index once with the real model; `compare` loads no model, `verify` syncs first
(nothing to embed when the sources are unchanged, so no model either).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EDITIONS = ROOT / "tests" / "data" / "editions"


def timed(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - began)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    env["PYTHONPATH"] = str(ROOT)
    cli = [sys.executable, "-m", "assistant"]
    with tempfile.TemporaryDirectory() as work:
        sources = Path(work) / "sources"
        sources.mkdir()
        for name in ("final-acts-2010.txt", "final-acts-2014.txt"):
            shutil.copy2(EDITIONS / name, sources / name)
        place = [*cli, "--sources", str(sources), "--index", str(Path(work) / "index")]
        subprocess.run([*place, "index"], env=env, check=True, capture_output=True)
        answer = subprocess.run(
            [*place, "ask", "What does Resolution 102 resolve?", "--json"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        saved = Path(work) / "answer.json"
        saved.write_text(answer, "utf-8")
        commands = {
            "compare 130": ["compare", "130"],
            "compare 130 --json": ["compare", "130", "--json"],
            "verify answer.json": ["verify", str(saved)],
        }
        rows = []
        for name, command in commands.items():
            times = timed([*place, *command], env, args.runs)
            rows.append({"command": name, "median_s": statistics.median(times), "runs_s": times})
        sys.path.insert(0, str(ROOT))
        from assistant import Assistant

        opened = Assistant.open(sources, Path(work) / "index", sync=False)
        began = time.perf_counter()
        for _ in range(100):
            opened.compare("130")
        in_process_ms = (time.perf_counter() - began) * 10
        opened.close()
    load = os.getloadavg()[0]
    print(f"load {load:.1f}")
    print("| command | median s | runs s |\n| --- | ---: | --- |")
    for r in rows:
        runs = ", ".join(f"{t:.2f}" for t in r["runs_s"])
        print(f"| `assistant {r['command']}` | **{r['median_s']:.2f}** | {runs} |")
    print(f"`Assistant.compare('130')` in process: {in_process_ms:.1f} ms (mean of 100)")
    out = ROOT / "benchmarks" / "results" / "editions.json"
    result = {"load_avg_1m": load, "rows": rows, "compare_in_process_ms": in_process_ms}
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

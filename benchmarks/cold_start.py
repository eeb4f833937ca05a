"""Cold start: one question asked from a new process, on an index that is already built.

Times `assistant ask "..."` (the CLI, when `assistant.cli` exists) and the same through
`python -c "from assistant import Assistant; Assistant.open(...).ask(...)"`, each `--runs`
times, plus one run that reports its phases (imports, open with the model load, first and
second ask, and a second model load to show the model's share of the open).

    .venv/bin/python benchmarks/cold_start.py
    .venv/bin/python benchmarks/cold_start.py --runs 5 --question "Where was the conference held?"
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib

PHASES = """
import json, time
t0 = time.perf_counter()
import chromadb, langchain_chroma, langchain_huggingface
t1 = time.perf_counter()
import torch, sentence_transformers
t2 = time.perf_counter()
from assistant import Assistant
from assistant.config import Settings
from assistant.index.embeddings import load_embeddings
t3 = time.perf_counter()
a = Assistant.open()
t4 = time.perf_counter()
a.ask(QUESTION)
t5 = time.perf_counter()
a.ask(QUESTION)
t6 = time.perf_counter()
load_embeddings(Settings().embedding_model).embed_query("warm-up")  # a second model load
t7 = time.perf_counter()
print(json.dumps({"import_chroma_langchain_s": t1 - t0, "import_torch_st_s": t2 - t1,
                  "import_assistant_s": t3 - t2, "open_with_model_load_s": t4 - t3,
                  "first_ask_s": t5 - t4, "second_ask_s": t6 - t5,
                  "model_load_again_s": t7 - t6}))
"""


def wall(command: list[str], env: dict[str, str]) -> float:
    began = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - began
    if proc.returncode != 0:
        raise RuntimeError(f"{command[:2]} failed: {proc.stderr[-2000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--question", default="Where was the 2014 Plenipotentiary Conference held?")
    parser.add_argument("--sources", type=Path, default=benchlib.ROOT / "sources")
    args = parser.parse_args()

    venv_bin = Path(sys.executable).parent
    work = Path(tempfile.mkdtemp(prefix="bench-cold-"))
    env = {
        **os.environ,
        "ASSISTANT_SOURCES": str(args.sources),
        "ASSISTANT_INDEX": str(work / "index"),
        "TOKENIZERS_PARALLELISM": "false",
    }
    q = json.dumps(args.question)
    snippet = f"from assistant import Assistant; print(Assistant.open().ask({q}).text)"
    result: dict[str, Any] = {"command": " ".join(sys.argv), "question": args.question}
    try:
        began = time.perf_counter()
        wall([sys.executable, "-c", snippet], env)  # builds the index once
        result["first_build_s"] = time.perf_counter() - began
        commands = {"python -c": [sys.executable, "-c", snippet]}
        cli = venv_bin / "assistant"
        has_cli = (benchlib.ROOT / "assistant" / "cli.py").is_file() and cli.is_file()
        if has_cli:
            commands["assistant ask"] = [str(cli), "ask", args.question]
        result["cli_available"] = has_cli
        result["import_only_s"] = [
            wall([sys.executable, "-c", "import assistant"], env) for _ in range(args.runs)
        ]
        # What an ONNX Runtime encoder would import instead of torch (see onnx_backend.py).
        for name, modules in (
            ("import_torch_st_s", "torch, sentence_transformers"),
            ("import_onnxruntime_tokenizers_s", "onnxruntime, tokenizers"),
        ):
            result[name] = [
                wall([sys.executable, "-c", f"import {modules}"], env) for _ in range(args.runs)
            ]
        for name, command in commands.items():
            runs = [wall(command, env) for _ in range(args.runs)]
            result[name] = {"runs_s": runs, "median_s": statistics.median(runs)}
            print(f"[cold] {name}: median {statistics.median(runs):.2f} s of {runs}", flush=True)
        phases = subprocess.run(
            [sys.executable, "-c", PHASES.replace("QUESTION", q)],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        result["phases"] = json.loads(phases.stdout.strip().splitlines()[-1])
        print(f"[cold] phases: {result['phases']}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"[cold] wrote {benchlib.save('cold_start', result)}")


if __name__ == "__main__":
    main()

"""Scale on a Chroma server: the generated corpus of benchmarks/scale.py built into a
`chroma run` server (ASSISTANT_CHROMA_URL) with the hashing embedding, then warm asks and
adding one document, each in a fresh app process, as scale.py measures them.

Reports build time, the server folder's size on disk, the server's and the app's resident
memory, ask / retrieve latency (hashing) and the MiniLM query encoding measured in the same
run, and adding one document (index write + real encoding of its sentences).

    .venv/bin/python benchmarks/scale_server.py --chunks 300000     # ~1M sentence vectors
    .venv/bin/python benchmarks/scale_server.py --chunks 10000      # a quick check
    .venv/bin/python benchmarks/scale_server.py --chunks 30000 --reuse --profile add.prof
                    # only the add, on the server folder and index an earlier run left
    .venv/bin/python benchmarks/scale_server.py --chunks 300000 \
        --compare-env ASSISTANT_KEYWORD_LIMIT_FROM_CHUNKS=1000000000
                    # the asks timed in turns without and with that variable set (2 runs each)
    PYTHONPATH=. .venv/bin/python benchmarks/scale_server.py --chunks 300000 --reuse \
        --compare-code /path/to/main --compare-index /tmp/bench-scale/index-main --turns 3
                    # the add timed in turns with this code and with the code at that path

The server folder and the index stay in --work after a run (the add removes its document
again), so `--reuse` skips the build and the asks and re-runs only the add.

`--compare-code` times the add in turns (this code, the other, the other, this, ...): each
turn starts the server afresh, as a `--reuse` run does, and adds the document twice, so the
first add finds the server cold and the second warm. The other code runs with PYTHONPATH set to
its folder, on `--compare-index` if given (a copy of the index in the schema that code reads;
the server's vectors are the same), else on the same index.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib
import scale

CHROMA = Path(sys.executable).parent / "chroma"
HEARTBEAT = "/api/v2/heartbeat"
SCALE = str(Path(scale.__file__).resolve())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(path: Path, port: int) -> subprocess.Popen[bytes]:
    """`chroma run` on 127.0.0.1:port, returned once its heartbeat answers."""
    log = (path.parent / f"{path.name}.log").open("wb")
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}{HEARTBEAT}", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"chroma run did not answer on port {port} in 60 s; see {log.name}")


def process_rss_mb(pid: int) -> dict[str, float]:
    """Current and peak resident memory of process `pid`, in MiB."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values["rss_mb" if key == "VmRSS" else "peak_rss_mb"] = int(rest.split()[0]) / 1024
    return values


def child_encode(queries: int) -> dict[str, Any]:
    """The packaged MiniLM's single-query encoding time over the same questions."""
    emb = scale.embeddings("real")
    questions = (benchlib.questions_text() * 10)[:queries]
    emb.embed_query(questions[0])  # warm-up
    return {"embed_query": benchlib.latency(benchlib.timed_calls(emb.embed_query, questions))}


def build_and_ask(
    row: dict[str, Any], args: argparse.Namespace, sources: Path, index: Path, server: Any
) -> None:
    """Build the index into the server, then time the asks; fills `row`."""
    print(f"[scale-server] {args.chunks} chunks: building ...", flush=True)
    row["build"] = benchlib.run_child(
        [SCALE, "--child", "build", str(sources), str(index), "hash", "0"], timeout=4 * 3600
    )
    row["server_mb"] = benchlib.disk_mb(args.work / f"server-{args.chunks}")
    row["catalog_mb"] = benchlib.disk_mb(index)
    row["server_rss_after_build"] = process_rss_mb(server.pid)
    print(f"[scale-server] built: {json.dumps(row)}", flush=True)
    ask(row, args, sources, index, server)


def ask(
    row: dict[str, Any], args: argparse.Namespace, sources: Path, index: Path, server: Any
) -> None:
    """Time the asks in a fresh app process; with --compare-env, in turns without and with
    that variable (two runs each, the variable first), all kept under "asks"."""
    query = [SCALE, "--child", "query", str(sources), str(index), "hash", str(args.queries)]
    if not args.compare_env:
        row["query"] = benchlib.run_child(query)
    else:
        name, _, value = args.compare_env.partition("=")
        row["asks"] = []
        for env in [{name: value}, {}] * 2:
            began = load()
            result = benchlib.run_child(query, env=env)
            row["asks"].append({"env": env, "load": [began, load()], "query": result})
            print(f"[scale-server] asked with {env}: {json.dumps(result)}", flush=True)
        row["query"] = row["asks"][1]["query"]  # the first run without the variable
    row["server_rss_after_asks"] = process_rss_mb(server.pid)
    print(f"[scale-server] asked: {json.dumps(row['query'])}", flush=True)


def load() -> float:
    return os.getloadavg()[0]


def compare_adds(row: dict[str, Any], args: argparse.Namespace, sources: Path, index: Path) -> None:
    """The add in turns with this code and the code at --compare-code; fills row["adds"]."""
    server_dir = args.work / f"server-{args.chunks}"
    here: tuple[str, dict[str, str], Path] = ("this", {}, index)
    there = ("other", {"PYTHONPATH": str(args.compare_code)}, args.compare_index or index)
    row["compare_code"] = str(args.compare_code)
    row["adds"] = []
    for turn in range(args.turns):
        for label, env, where in (here, there) if turn % 2 == 0 else (there, here):
            port = free_port()
            server = start_server(server_dir, port)
            url = {"ASSISTANT_CHROMA_URL": f"http://127.0.0.1:{port}"}
            add = [SCALE, "--child", "add", str(sources), str(where), "hash"]
            try:
                for state in ("cold", "warm"):
                    began = load()
                    result = benchlib.run_child(
                        [*add, str(args.add_paragraphs)], env={**env, **url}
                    )
                    done = {"code": label, "server": state, "load": [began, load()], "add": result}
                    row["adds"].append(done)
                    print(f"[scale-server] {json.dumps(done)}", flush=True)
            finally:
                server.terminate()
                server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=300_000)
    parser.add_argument("--queries", type=int, default=100, help="timed asks")
    parser.add_argument("--add-paragraphs", type=int, default=30)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-scale"))
    parser.add_argument("--name", default="scale-server", help="benchmarks/results/NAME.json")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the built server folder: run only the add"
    )
    parser.add_argument("--profile", type=Path, help="write a cProfile of the add child here")
    parser.add_argument(
        "--compare-env",
        metavar="NAME=VALUE",
        help="time the asks in turns with and without this environment variable set",
    )
    parser.add_argument("--asks", action="store_true", help="with --reuse: time the asks again too")
    parser.add_argument(
        "--compare-code",
        type=Path,
        help="with --reuse: time the add in turns with this checkout and the code in this folder",
    )
    parser.add_argument(
        "--compare-index", type=Path, help="the index folder the --compare-code add uses"
    )
    parser.add_argument("--turns", type=int, default=3, help="turns of each code (--compare-code)")
    parser.add_argument("--child-encode", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_encode:
        print(json.dumps(child_encode(args.child_encode)))
        return

    args.work.mkdir(parents=True, exist_ok=True)
    row: dict[str, Any] = {"command": " ".join(sys.argv), "load_start": load()}
    began = time.perf_counter()
    sources = scale.corpus(args.work, args.chunks)
    row["generate_s"] = time.perf_counter() - began
    row["corpus_mb"] = benchlib.text_mb(sources)
    server_dir = args.work / f"server-{args.chunks}"
    index = args.work / f"index-server-{args.chunks}"
    built = args.work / f"server-{args.chunks}.built"  # written once a build finished
    if args.reuse and not built.exists():
        raise SystemExit(f"--reuse: no finished build in {server_dir}; run once without --reuse")
    if not args.reuse:
        shutil.rmtree(server_dir, ignore_errors=True)
    elif args.compare_code:
        row["reused"] = True
        compare_adds(row, args, sources, index)
        row["load_end"] = load()
        print(f"[scale-server] wrote {benchlib.save(args.name, row)}")
        return
    port = free_port()
    server = start_server(server_dir, port)
    os.environ["ASSISTANT_CHROMA_URL"] = f"http://127.0.0.1:{port}"
    row["reused"] = args.reuse
    add = [SCALE, "--child", "add", str(sources), str(index), "hash", str(args.add_paragraphs)]
    if args.profile:
        add = ["-m", "cProfile", "-o", str(args.profile.resolve()), *add]
    try:
        if not args.reuse:
            build_and_ask(row, args, sources, index, server)
            built.write_text("ok")
        elif args.asks:
            ask(row, args, sources, index, server)
        row["add"] = benchlib.run_child(add)
        row["server_rss_after_add"] = process_rss_mb(server.pid)
        if not args.reuse:
            row["encode"] = benchlib.run_child([__file__, "--child-encode", str(args.queries)])
            print(f"[scale-server] encoded: {json.dumps(row['encode'])}", flush=True)
        print(f"[scale-server] added: {json.dumps(row['add'])}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    row["load_end"] = load()
    path = benchlib.save(args.name, row)
    print(f"[scale-server] wrote {path}")


if __name__ == "__main__":
    main()

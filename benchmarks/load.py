"""Load on the web chat: N simultaneous users asking over the `/chat` API for a bounded time.

    .venv/bin/python benchmarks/load.py                     # 40 users, 30 s, real model
    .venv/bin/python benchmarks/load.py --users 5 --rounds 3
    .venv/bin/python benchmarks/load.py --queue-size 16     # a smaller waiting room: busy answers
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:7860/   # a server already up
    .venv/bin/python benchmarks/load.py --users 20 --think 2   # people pause 2 s between questions

Starts `python -m assistant serve` on a free 127.0.0.1 port over a temporary copy of `sources/`
and a temporary index (or uses `--url`), waits for it, sends one warm-up question, then runs
the users: each is its own gradio_client (as separate browsers are; `--client http`: one
kept-alive httpx client over Gradio's REST call API) and asks the questions in turn (the 50 of
`benchmarks/data/load_questions.txt`, or the 6 of `--questions fixed`), one at a time, pausing
`--think` seconds after each answer, until the time is up. Prints requests, answers, busy answers,
errors, throughput, p50/p95/max latency of the answers, the largest Gradio queue seen and the CPU
used by the clients (this process) and by the server it started, as a share of all cores, and
saves them as JSON with `--out`. A request is an error when it raises or its answer is not a
non-empty text; a busy answer ("The assistant is busy ... retry in N s") is counted apart, and
that user waits the N seconds before asking again, as a person or a polite client would.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION_FILE = ROOT / "benchmarks" / "data" / "load_questions.txt"
QUESTIONS = [  # the fixed set of the first runs (`--questions fixed`)
    "Who can take part in CWG-Internet?",
    "What did the conference decide about counterfeit devices?",
    "What happened to India's proposal?",
    "Was the Plenipot a success for the Internet?",
    "What was said about cybersecurity and surveillance?",
    "What is the weather in Busan today?",  # abstains: the sources do not say
]


def read_questions(path: Path = QUESTION_FILE) -> list[str]:
    """The questions of `path`, one a line, without blank lines and '#' comments."""
    lines = (line.strip() for line in path.read_text("utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def cpu_seconds(pid: int | None = None) -> float:
    """CPU seconds (user + system) used so far by this process, or by process `pid` (Linux)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Stats:
    """What a load run measured (seconds)."""

    users: int
    seconds: float
    requests: int = 0
    failures: int = 0  # errors: raised, or no text
    busy: int = 0  # "busy, retry in N s" answers
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # of real answers only
    max_queue: int | None = None
    think: float = 0.0
    questions: int = 0  # distinct questions asked
    client: str = "gradio"  # how the users ask: "gradio" (gradio_client) or "http"
    client_cpu_s: float = 0.0  # CPU seconds of this process during the run
    server_cpu_s: float | None = None  # of the server it started, when it started one

    def summary(self) -> dict[str, object]:
        """The numbers to report (without the raw latencies); latency is of real answers."""
        lat = sorted(self.latencies)
        return {
            "users": self.users,
            "seconds": round(self.seconds, 1),
            "requests": self.requests,
            "answered": self.requests - self.failures - self.busy,
            "busy": self.busy,
            "failures": self.failures,
            "throughput_per_s": round(self.requests / self.seconds, 2) if self.seconds else 0.0,
            "p50_s": round(percentile(lat, 50), 3),
            "p95_s": round(percentile(lat, 95), 3),
            "max_s": round(lat[-1], 3) if lat else 0.0,
            "mean_s": round(statistics.fmean(lat), 3) if lat else 0.0,
            "max_queue": self.max_queue,
            "think_s": self.think,
            "questions": self.questions,
            "client": self.client,
            "client_cpu_share": self._share(self.client_cpu_s),
            "server_cpu_share": self._share(self.server_cpu_s),
            "errors": self.errors[:5],
        }

    def _share(self, cpu: float | None) -> float | None:
        """CPU seconds as a share of all the machine's cores over the run (1.0 = all)."""
        if cpu is None or not self.seconds:
            return None
        return round(cpu / (self.seconds * (os.cpu_count() or 1)), 3)


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile of already sorted values (0.0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(pct / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(
    sources: Path,
    *,
    port: int | None = None,
    timeout: float = 240.0,
    env: dict[str, str] | None = None,
    pids: list[int] | None = None,
) -> Iterator[str]:
    """Run `python -m assistant serve` over a temporary copy of `sources`; yield its URL.

    The server's process id is appended to `pids` when given (to read its CPU time).
    """
    port = port or free_port()
    with tempfile.TemporaryDirectory(prefix="load-") as tmp:
        folder = Path(tmp) / "sources"
        shutil.copytree(sources, folder)
        environ = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
        environ.update(env or {})
        log = open(Path(tmp) / "server.log", "w+")  # noqa: SIM115 - closed below
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "assistant",
                "--sources",
                str(folder),
                "--index",
                str(Path(tmp) / "index"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=environ,
            cwd=tmp,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if pids is not None:
            pids.append(server.pid)
        try:
            url = f"http://127.0.0.1:{port}/"
            wait_for_port(port, server, timeout, log)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(30)
            log.close()


def wait_for_port(port: int, server: subprocess.Popen[bytes], timeout: float, log: object) -> None:
    """Return once something listens on `port`; fail if the server exits or is too slow."""
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}: {tail(log)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server did not listen within {timeout:.0f} s: {tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.25)


def tail(log: object) -> str:
    try:
        log.seek(0)  # type: ignore[attr-defined]
        return str(log.read())[-3000:]  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return ""


class HttpUser:
    """One user over Gradio's REST call API (`POST /gradio_api/call/chat`, then its event
    stream), on one kept-alive `httpx.Client`: the same queue and function as gradio_client,
    without its per-request `httpx` client (whose TLS context costs ~30-50 ms of CPU each)."""

    def __init__(self, url: str) -> None:
        import httpx

        self.url = url
        self.http = httpx.Client(timeout=120)

    def predict(self, question: str, api_name: str = "/chat") -> object:
        """The answer's data, or AppError-like RuntimeError with the server's message."""
        call = f"{self.url}gradio_api/call{api_name}"
        joined = self.http.post(call, json={"data": [question]})
        joined.raise_for_status()
        event = None
        with self.http.stream("GET", f"{call}/{joined.json()['event_id']}") as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    data = json.loads(line[5:].strip() or "null")
                    if event == "error":
                        raise RuntimeError(f"the server answered an error: {data!r}")
                    return data[0] if isinstance(data, list) and data else data
        raise RuntimeError(f"the event stream ended without an answer (last event {event})")

    def close(self) -> None:
        self.http.close()


def run_users(
    url: str,
    *,
    users: int,
    duration: float | None = None,
    rounds: int | None = None,
    questions: Sequence[str] = QUESTIONS,
    think: float = 0.0,
    server_pid: int | None = None,
    client: str = "gradio",
) -> Stats:
    """`users` clients asking at once, each until `duration` seconds pass or `rounds` done.

    With `think` > 0 each user pauses that long after each answer (as a person reads it) and
    starts after a random pause of up to `think` seconds, so the users do not ask in step.
    `client` "gradio" is a gradio_client per user (as the first runs), "http" an `HttpUser`.
    """
    import httpx
    from gradio_client import Client

    from assistant.interfaces.web.admission import BUSY_PREFIX

    assert duration or rounds, "give a duration or a number of rounds"
    make = (lambda: Client(url, verbose=False)) if client == "gradio" else (lambda: HttpUser(url))
    clients = [make() for _ in range(users)]  # connect before the clock
    lock = threading.Lock()
    start = threading.Barrier(users + 1)
    stop = threading.Event()
    stats = Stats(users=users, seconds=0.0, think=think, questions=len(set(questions)))
    stats.client = client

    def user(number: int) -> None:
        start.wait()
        asked = 0
        if think:
            stop.wait(random.Random(number).uniform(0, think))
        while not stop.is_set() and (rounds is None or asked < rounds):
            question = questions[(number + asked) % len(questions)]
            began = time.perf_counter()
            error, busy = None, False
            try:
                text = clients[number].predict(question, api_name="/chat")
                if not isinstance(text, str) or not text.strip():
                    error = f"empty answer to {question!r}: {text!r}"
                busy = not error and text.startswith(BUSY_PREFIX)
            except Exception as exc:  # noqa: BLE001 - any failure is counted, with its reason
                error = f"{type(exc).__name__}: {exc}"
            took = time.perf_counter() - began
            asked += 1
            with lock:
                stats.requests += 1
                if error:
                    stats.failures += 1
                    stats.errors.append(error[:300])
                elif busy:
                    stats.busy += 1
                else:
                    stats.latencies.append(took)
            if busy and (wait := re.search(r"retry in (\d+) s", text)):
                stop.wait(float(wait.group(1)))
            elif think:
                stop.wait(think)

    def watch_queue() -> None:
        with httpx.Client(timeout=5) as http:
            while not stop.is_set():
                try:
                    size = int(http.get(f"{url}gradio_api/queue/status").json()["queue_size"])
                    stats.max_queue = max(stats.max_queue or 0, size)
                except (httpx.HTTPError, KeyError, ValueError, TypeError):
                    pass
                stop.wait(0.25)

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    watcher = threading.Thread(target=watch_queue, daemon=True)
    for thread in threads:
        thread.start()
    watcher.start()
    start.wait()
    began = time.perf_counter()
    client_cpu = cpu_seconds()
    server_cpu = cpu_seconds(server_pid) if server_pid else None
    deadline = began + duration if duration else None
    for thread in threads:
        while thread.is_alive():
            if deadline and time.perf_counter() >= deadline:
                stop.set()  # finish the requests in flight, start no new ones
            thread.join(0.1)
    stats.seconds = time.perf_counter() - began
    stats.client_cpu_s = cpu_seconds() - client_cpu
    if server_pid and server_cpu is not None:
        stats.server_cpu_s = cpu_seconds(server_pid) - server_cpu
    stop.set()
    watcher.join(5)
    for client in clients:
        close = getattr(client, "close", None)
        if close:
            close()
    return stats


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load test as the options say; exit 1 if any request failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds (default 30)")
    parser.add_argument("--rounds", type=int, help="questions per user instead of a duration")
    parser.add_argument("--sources", type=Path, default=ROOT / "sources")
    parser.add_argument("--url", help="load this running server instead of starting one")
    parser.add_argument("--chroma-url", help="serve with ASSISTANT_CHROMA_URL set to this")
    parser.add_argument("--concurrency", type=int, help="serve with ASSISTANT_WEB_CONCURRENCY")
    parser.add_argument("--queue-size", type=int, help="serve with ASSISTANT_WEB_QUEUE_SIZE")
    parser.add_argument(
        "--query-cache", type=int, help="serve with ASSISTANT_QUERY_CACHE_SIZE (0: no cache)"
    )
    parser.add_argument("--backend", help="serve with ASSISTANT_EMBEDDING_BACKEND (onnx, torch)")
    parser.add_argument(
        "--think", type=float, default=0.0, help="seconds each user pauses after an answer"
    )
    parser.add_argument(
        "--questions",
        default=str(QUESTION_FILE),
        help="a file of questions, one a line, or 'fixed' for the 6 of the first runs",
    )
    parser.add_argument(
        "--client",
        choices=["gradio", "http"],
        default="gradio",
        help="gradio: a gradio_client per user; http: one kept-alive httpx client per user",
    )
    parser.add_argument("--out", type=Path, help="also write the results here as JSON")
    args = parser.parse_args(argv)
    duration = None if args.rounds else args.duration
    questions = QUESTIONS if args.questions == "fixed" else read_questions(Path(args.questions))
    pids: list[int] = []

    def load(url: str) -> Stats:
        from gradio_client import Client

        began = time.perf_counter()
        Client(url, verbose=False).predict(QUESTIONS[0], api_name="/chat")  # warm-up
        print(f"server up; warm-up answer in {time.perf_counter() - began:.1f} s", file=sys.stderr)
        return run_users(
            url,
            users=args.users,
            duration=duration,
            rounds=args.rounds,
            questions=questions,
            think=args.think,
            server_pid=pids[0] if pids else None,
            client=args.client,
        )

    started = time.perf_counter()
    if args.url:
        stats = load(args.url)
    else:
        options = {
            "ASSISTANT_CHROMA_URL": args.chroma_url,
            "ASSISTANT_WEB_CONCURRENCY": args.concurrency,
            "ASSISTANT_WEB_QUEUE_SIZE": args.queue_size,
            "ASSISTANT_EMBEDDING_BACKEND": args.backend,
            "ASSISTANT_QUERY_CACHE_SIZE": args.query_cache,
        }
        env = {name: str(value) for name, value in options.items() if value is not None}
        with served(args.sources, env=env, pids=pids) as url:
            print(f"serving {url} after {time.perf_counter() - started:.1f} s", file=sys.stderr)
            stats = load(url)
    summary = {"cpus": os.cpu_count(), **stats.summary()}
    print(
        f"{summary['users']} users for {summary['seconds']} s: {summary['requests']} requests "
        f"({summary['answered']} answered, {summary['busy']} busy, {summary['failures']} errors), "
        f"{summary['throughput_per_s']}/s; answer latency p50 {summary['p50_s']} s, "
        f"p95 {summary['p95_s']} s, max {summary['max_s']} s; "
        f"largest Gradio queue {summary['max_queue']}; think {args.think} s, "
        f"{summary['questions']} questions, {args.client} client; "
        f"CPU share clients {summary['client_cpu_share']}, server {summary['server_cpu_share']}"
    )
    for error in stats.errors[:5]:
        print(f"  failure: {error}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({**summary, "latencies": stats.latencies}, indent=2))
    print(json.dumps(summary))
    return 1 if stats.failures else 0


if __name__ == "__main__":
    sys.exit(main())

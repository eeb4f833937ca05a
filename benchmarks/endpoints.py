"""HTTP API timings against a running `assistant serve` (with ASSISTANT_API_KEY set):

    .venv/bin/python benchmarks/endpoints.py --url http://127.0.0.1:7860 --key KEY [--runs 5]

Median seconds per answer through `POST /api/ask`, `POST /v1/chat/completions` (non-streamed,
and streamed: first piece, last chunk), then the page's `GET /config` while 8 API questions are
in flight (answers run in worker threads under the shared admission slots, so the page should
stay fast).
"""

from __future__ import annotations

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

QUESTIONS = (
    "Who can take part in CWG-Internet?",
    "What did the conference decide about counterfeit devices?",
    "What is the weather in Busan today?",
)
MODEL = "plenipot-assistant"


def timed(call: object) -> float:
    began = time.perf_counter()
    call()  # type: ignore[operator]
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860")
    parser.add_argument("--key", required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    http = httpx.Client(
        base_url=args.url, headers={"authorization": f"Bearer {args.key}"}, timeout=120
    )

    def chat(question: str, stream: bool = False) -> dict[str, object]:
        body = {"model": MODEL, "messages": [{"role": "user", "content": question}]}
        return {**body, "stream": stream}

    def first_and_last(question: str) -> tuple[float, float]:
        began, first = time.perf_counter(), 0.0
        with http.stream("POST", "/v1/chat/completions", json=chat(question, True)) as reply:
            for line in reply.iter_lines():
                if '"content":' in line and not first and '"content": ""' not in line:
                    first = time.perf_counter() - began
        return first, time.perf_counter() - began

    rows: dict[str, list[float]] = {
        "/api/ask": [],
        "/v1 (json)": [],
        "/v1 first": [],
        "/v1 last": [],
    }
    for _ in range(args.runs):
        for q in QUESTIONS:
            rows["/api/ask"].append(timed(lambda q=q: http.post("/api/ask", json={"question": q})))
            rows["/v1 (json)"].append(
                timed(lambda q=q: http.post("/v1/chat/completions", json=chat(q)))
            )
            first, last = first_and_last(q)
            rows["/v1 first"].append(first)
            rows["/v1 last"].append(last)
    for name, values in rows.items():
        print(f"{name:12} median {statistics.median(values):.3f} s over {len(values)}")

    idle = [timed(lambda: http.get("/config")) for _ in range(5)]
    with ThreadPoolExecutor(8) as pool:
        burst = [
            pool.submit(http.post, "/api/ask", json={"question": QUESTIONS[i % 3]})
            for i in range(8)
        ]
        time.sleep(0.2)
        busy = [timed(lambda: http.get("/config")) for _ in range(5)]
        codes = [f.result().status_code for f in burst]
    print(
        f"GET /config median idle {statistics.median(idle):.3f} s, during 8 asks "
        f"{statistics.median(busy):.3f} s; the asks answered {sorted(set(codes))}"
    )


if __name__ == "__main__":
    main()

"""A scripted chat server for the tests, on 127.0.0.1: OpenAI chat completions and Ollama chat.

It speaks just enough of both protocols for the real client packages (openai through
langchain-openai, ollama through langchain-ollama): `POST /v1/chat/completions` as plain JSON or,
with `"stream": true`, as server-sent events ending in `data: [DONE]`; `POST /api/chat` as plain
JSON or, with `"stream": true` (the Ollama default), as NDJSON lines. Replies are scripted, and
every request body is recorded so tests can check the prompt that was sent.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OPENAI_PATH = "/v1/chat/completions"
OLLAMA_PATH = "/api/chat"


@dataclass(frozen=True)
class Reply:
    """One scripted reply: text (or a function of the request body), an HTTP status, a hang."""

    content: str | Callable[[dict[str, Any]], str] = ""
    status: int = 200
    hang: float = 0.0  # seconds to wait before answering, to trip the client's timeout
    trickle: float = 0.0  # seconds between streamed pieces: each read is quick, the whole slow


@dataclass(frozen=True)
class Received:
    """A request the server received."""

    path: str
    body: dict[str, Any]

    def content(self, role: str) -> str:
        """The text of the messages with `role` ("system", "user"), joined."""
        return "\n".join(
            _text(m.get("content")) for m in self.body.get("messages", []) if m.get("role") == role
        )


class LLMServer:
    """A real HTTP server in a thread, on a free port; use it as a context manager."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._replies: list[Reply] = [Reply("NOT IN SOURCES")]
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.llm = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """The server's root URL (what Ollama clients take)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def openai_url(self) -> str:
        """The base URL for OpenAI clients (with /v1)."""
        return f"{self.url}/v1"

    def script(self, *replies: Reply | str) -> None:
        """Replies for the next requests, in order; the last one repeats."""
        with self._lock:
            self._replies = [r if isinstance(r, Reply) else Reply(r) for r in replies]

    def next_reply(self, path: str, body: dict[str, Any]) -> Reply:
        """Record a request and return the reply scripted for it."""
        with self._lock:
            self.requests.append(Received(path, body))
            return self._replies.pop(0) if len(self._replies) > 1 else self._replies[0]

    def __enter__(self) -> LLMServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()  # releases handlers that hang
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet

    def do_POST(self) -> None:
        llm: LLMServer = self.server.llm  # type: ignore[attr-defined]
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or "{}")
        if self.path not in (OPENAI_PATH, OLLAMA_PATH):
            self._json(404, {"error": f"no route {self.path}"})
            return
        reply = llm.next_reply(self.path, body)
        if reply.hang and llm.stopping.wait(reply.hang):
            return
        try:
            if reply.status != 200:
                self._json(
                    reply.status,
                    {
                        "error": {
                            "message": "scripted failure",
                            "type": "server_error",
                            "code": None,
                        }
                    },
                )
                return
            content = reply.content(body) if callable(reply.content) else reply.content
            model = str(body.get("model", "test-model"))
            self.trickle = reply.trickle
            if self.path == OPENAI_PATH:
                self._openai(model, content, stream=bool(body.get("stream", False)))
            else:
                self._ollama(model, content, stream=bool(body.get("stream", True)))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): nothing to answer

    def _openai(self, model: str, content: str, *, stream: bool) -> None:
        base = {"id": "chatcmpl-test", "created": int(time.time()), "model": model}
        if not stream:
            self._json(
                200,
                {
                    **base,
                    "object": "chat.completion",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": content},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                },
            )
            return
        self._start(200, "text/event-stream")
        deltas = [{"role": "assistant", "content": p} for p in pieces(content)]
        for delta, finish in [*((d, None) for d in deltas), ({}, "stop")]:
            chunk = {
                **base,
                "object": "chat.completion.chunk",
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            }
            self._send(f"data: {json.dumps(chunk)}\n\n")
        self._send("data: [DONE]\n\n")

    def _ollama(self, model: str, content: str, *, stream: bool) -> None:
        base = {"model": model, "created_at": "2024-01-01T00:00:00Z"}
        done = {
            **base,
            "done": True,
            "done_reason": "stop",
            "total_duration": 1,
            "prompt_eval_count": 1,
            "eval_count": 1,
        }
        if not stream:
            self._json(200, {**done, "message": {"role": "assistant", "content": content}})
            return
        self._start(200, "application/x-ndjson")
        for piece in pieces(content):
            line = {**base, "message": {"role": "assistant", "content": piece}, "done": False}
            self._send(json.dumps(line) + "\n")
        self._send(json.dumps({**done, "message": {"role": "assistant", "content": ""}}) + "\n")

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _start(self, status: int, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()  # HTTP/1.0: the body ends when the connection closes

    def _send(self, text: str) -> None:
        if getattr(self, "trickle", 0.0):
            time.sleep(self.trickle)
        self.wfile.write(text.encode("utf-8"))
        self.wfile.flush()


def pieces(content: str) -> list[str]:
    """The reply cut into word-sized pieces, as a model streams tokens."""
    return re.findall(r"\s*\S+", content) or ([content] if content else [])


def _text(content: Any) -> str:
    if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}]
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content or "")

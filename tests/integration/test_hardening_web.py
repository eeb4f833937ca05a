"""Web chat hardening (issue #18 items 4, 6, 8), mostly on real servers on 127.0.0.1.

Event values are cleaned, so a lone surrogate cannot break a session; with a login every route
but the login page needs it and failed logins are slowed; Host and Origin are checked; uploads
leave no temp files; a full queue answers "busy, retry in N s". Fake embeddings keep it fast.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import copy_sources
from fakes import KeywordEmbeddings
from gradio_client import Client, handle_file

from assistant import Assistant
from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.interfaces.web import build_app, document, launch
from assistant.schema import Answer

DATA = Path(__file__).resolve().parents[1] / "data" / "web"
CHROMIUM = Path("/usr/bin/chromium")
LOGIN = ("ann", "s3cret")
QUESTION = "Who can take part in CWG-Internet?"


@dataclass
class Served:
    url: str
    app: Any  # gr.Blocks; gradio is not imported here


@contextmanager
def running(
    folder: Path, *, auth: tuple[str, str] | None = None, uploads: bool = False, **settings: Any
) -> Iterator[Served]:
    """A real server over a copy of the shipped sources, fake embeddings, the given settings.

    With `uploads`, the app owns an upload folder (GRADIO_TEMP_DIR, restored afterwards).
    """
    answerer = settings.pop("answerer", None)
    assistant = Assistant.open(
        copy_sources(folder / "sources"),
        folder / "index",
        settings=Settings.model_validate(settings),
        embeddings=KeywordEmbeddings(),
        answerer=answerer,
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.MonkeyPatch.context() as mp:
        if uploads:  # build_app sets it too; this puts the old value back at the end
            mp.setenv("GRADIO_TEMP_DIR", str(folder / "uploads"))
        app = build_app(assistant, uploads=folder / "uploads" if uploads else None)
        try:
            pages = document.routes(assistant)  # the document view is guarded as the rest
            url = launch(app, host="127.0.0.1", port=port, auth=auth, block=False, routes=pages)
            yield Served(url, app)
        finally:
            app.close()
            assistant.close()


@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with running(tmp_path_factory.mktemp("open"), uploads=True) as served:
        yield served


@pytest.fixture(scope="module")
def login_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with running(tmp_path_factory.mktemp("login"), auth=LOGIN) as served:
        yield served


class Page:
    """One browser session, driven as the page drives it: queue/join, then the session's stream."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=60)
        self.session = uuid.uuid4().hex
        deps = self.http.get("config").json()["dependencies"]
        self.fns = {d["api_name"]: (d["id"], (d["targets"] or [[None]])[0][0]) for d in deps}

    def event(self, api_name: str, data: list[Any]) -> dict[str, Any]:
        """Send one event; its `process_completed` message (success False if the stream broke)."""
        fn, trigger = self.fns[api_name]
        body = {"data": data, "fn_index": fn, "trigger_id": trigger, "session_hash": self.session}
        # ASCII JSON: a lone surrogate travels as the escape \ud800, as a browser sends it.
        joined = self.http.post(
            "gradio_api/queue/join",
            content=json.dumps(body).encode(),
            headers={"content-type": "application/json"},
        )
        event_id = joined.json()["event_id"]
        params = {"session_hash": self.session}
        try:
            with self.http.stream("GET", "gradio_api/queue/data", params=params) as stream:
                for line in stream.iter_lines():
                    message = json.loads(line[5:]) if line.startswith("data:") else {}
                    done = message.get("msg") == "process_completed"
                    if done and message.get("event_id") == event_id:
                        return message
        except httpx.HTTPError as exc:
            return {"success": False, "error": repr(exc)}
        return {"success": False, "error": "the stream ended"}


# -- item 4: values from events are cleaned --------------------------------------------------


def test_clean_drops_surrogates_and_control_characters() -> None:
    from assistant.interfaces.web.inputs import clean

    assert clean("a\ud800b\x00c\x1b[1md\r\ne\rf\tg\x7f\x85") == "abc[1md\ne\nf\tg"
    assert clean(["x\udfff", {"k\x07": ("\ud83d",)}, 3, None]) == ["x", {"k": ("",)}, 3, None]
    kept = "Zorblat ☃ 🎉 naïve \u200b line\nnext"
    assert clean(kept) == kept


def test_a_lone_surrogate_leaves_the_session_working(open_server: Served) -> None:
    page = Page(open_server.url)
    dirty = "\ud800Who can take part\x00 in CWG-Internet?\x1b"
    first = page.event("respond", [dirty, None, "All sources", []])
    assert first["success"], first
    assert "Who can take part in CWG-Internet?" in json.dumps(first["output"])
    # Gradio itself refuses a filter that is not one of the choices; the session survives it.
    refused = page.event("respond", [QUESTION, None, "All sources\udfff", ["\ud800"]])
    assert refused.get("msg") == "process_completed", refused
    second = page.event("respond", [QUESTION, None, "All sources", []])  # the same session
    assert second["success"], second
    shown = json.dumps(second["output"])
    assert "[1]" in shown and shown.count("Who can take part in CWG-Internet?") >= 2


def test_the_chat_api_cleans_its_question(open_server: Served) -> None:
    with httpx.Client(base_url=open_server.url, timeout=60) as http:
        body = json.dumps({"data": [f"\ud800{QUESTION}\x00"]}).encode()
        posted = http.post(
            "gradio_api/call/chat", content=body, headers={"content-type": "application/json"}
        )
        result = http.get(f"gradio_api/call/chat/{posted.json()['event_id']}").text
    assert "event: complete" in result and "[1]" in result, result


# -- item 6: access --------------------------------------------------------------------------


def routes(app: Any) -> list[tuple[str, str]]:
    """Every (method, path) the running app serves, path parameters filled with `x`."""
    found: set[tuple[str, str]] = set()

    def walk(items: Any, prefix: str) -> None:
        for route in items:
            if getattr(route, "methods", None) and getattr(route, "path", None):
                path = prefix + re.sub(r"\{[^}]*\}", "x", route.path)
                found.update((method, path) for method in route.methods)
            elif (included := getattr(route, "original_router", None)) is not None:
                walk(included.routes, prefix + route.include_context.prefix)  # FastAPI 0.16x
            else:
                walk(getattr(route, "routes", None) or [], prefix + getattr(route, "path", ""))

    walk(app.server_app.routes, "")
    return sorted(found)


def is_public(method: str, path: str) -> bool:
    """What the login page needs to render and log in (found by loading it in Chromium)."""
    if method == "POST":
        return path in {"/login", "/login/"}
    return path in {"/", "/theme.css", "/favicon.ico"} or path.startswith(("/assets/", "/static/"))


def test_every_route_but_the_login_page_needs_the_login(login_server: Served) -> None:
    probed, open_routes = [], []
    with httpx.Client(base_url=login_server.url, timeout=10) as http:
        for method, path in routes(login_server.app):
            with http.stream(method, path) as response:
                probed.append(path)
                if not is_public(method, path) and response.status_code != 401:
                    open_routes.append((method, path, response.status_code))
        page = http.get("/")
        assert page.status_code == 200 and '"auth_required":true' in page.text.replace(" ", "")
        assert http.get("theme.css").status_code == 200
    assert {"/gradio_api/heartbeat/x", "/openapi.json", "/gradio_api/upload"} <= set(probed)
    assert "/sources/x" in probed
    assert open_routes == []


def test_after_logging_in_the_chat_and_heartbeat_work(login_server: Served) -> None:
    chat = Client(login_server.url, auth=LOGIN, verbose=False)
    assert "[1]" in chat.predict(QUESTION, api_name="/chat")
    with httpx.Client(base_url=login_server.url, cookies=chat.cookies, timeout=10) as http:
        with http.stream("GET", "gradio_api/heartbeat/abc") as beat:
            assert beat.status_code == 200
        assert http.get("openapi.json").status_code == 200


def test_failed_logins_from_one_address_are_slowed(tmp_path: Path) -> None:
    from assistant.interfaces.web.guards import LOGIN_FAILURES_ALLOWED

    with running(tmp_path, auth=LOGIN) as served, httpx.Client(base_url=served.url) as http:
        wrong = {"username": "ann", "password": "guess"}
        codes = [http.post("login", data=wrong).status_code for _ in range(LOGIN_FAILURES_ALLOWED)]
        assert codes == [400] * LOGIN_FAILURES_ALLOWED
        refused = http.post("login", data={"username": "ann", "password": "s3cret"})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert re.search(r"retry in \d+ s", refused.text), refused.text


def test_the_login_throttle_forgets_old_failures_and_keeps_addresses_apart() -> None:
    from assistant.interfaces.web.guards import LoginThrottle

    now = [1000.0]
    throttle = LoginThrottle(allowed=2, window=60.0, clock=lambda: now[0])
    throttle.failed("10.0.0.1")
    now[0] += 10
    throttle.failed("10.0.0.1")
    assert throttle.retry_after("10.0.0.1") == pytest.approx(50.0)
    assert throttle.retry_after("10.0.0.2") == 0.0
    now[0] += 51
    assert throttle.retry_after("10.0.0.1") == 0.0  # the first failure left the window
    throttle.failed("10.0.0.1")
    throttle.succeeded("10.0.0.1")
    assert throttle.retry_after("10.0.0.1") == 0.0


def test_a_request_for_another_host_is_refused(open_server: Served) -> None:
    port = httpx.URL(open_server.url).port
    with httpx.Client(base_url=open_server.url) as http:
        refused = http.get("/", headers={"host": "evil.example"})
        assert refused.status_code in (400, 421)
        assert "evil.example" in refused.text and "ASSISTANT_ALLOWED_HOSTS" in refused.text
        assert http.get("/", headers={"host": f"localhost:{port}"}).status_code == 200
        assert http.get("config").status_code == 200


def guarded(**options: Any) -> httpx.AsyncClient:
    """An httpx client over the guard in front of a tiny app that answers 200 "ok"."""
    from starlette.responses import PlainTextResponse

    from assistant.interfaces.web.guards import Guard, allowed_hosts

    hosts = allowed_hosts("127.0.0.1", options.pop("extra", ()))
    guard = Guard(PlainTextResponse("ok"), hosts=hosts, logged_in=None, **options)
    transport = httpx.ASGITransport(app=guard)
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:7860")


@pytest.mark.parametrize(
    ("extra", "host", "status"),
    [
        ([], "127.0.0.1:7860", 200),
        ([], "LOCALHOST:7860", 200),
        ([], "[::1]:7860", 200),
        ([], "evil.example:7860", 400),
        ([], "127.0.0.1.evil.example", 400),
        ([], "", 400),
        (["chat.example.org"], "chat.example.org", 200),
        (["*"], "anything.example", 200),
    ],
)
def test_the_host_allow_list(extra: list[str], host: str, status: int) -> None:
    async def scenario() -> int:
        async with guarded(extra=extra) as http:
            return (await http.get("/", headers={"host": host})).status_code

    assert asyncio.run(scenario()) == status


@pytest.mark.parametrize(
    ("method", "headers", "status"),
    [
        ("POST", {"origin": "http://127.0.0.1:7860"}, 200),
        ("POST", {"origin": "http://evil.example"}, 403),
        ("POST", {"origin": "null"}, 403),
        ("POST", {"referer": "http://evil.example/page"}, 403),
        ("POST", {"referer": "http://127.0.0.1:7860/"}, 200),
        ("POST", {}, 200),  # no browser page sent it: browsers send Origin on every POST
        ("DELETE", {"origin": "http://evil.example"}, 403),
        ("GET", {"origin": "http://evil.example"}, 200),  # reads change nothing
    ],
)
def test_state_changing_requests_must_be_same_origin(
    method: str, headers: dict[str, str], status: int
) -> None:
    async def scenario() -> int:
        async with guarded() as http:
            return (await http.request(method, "/gradio_api/upload", headers=headers)).status_code

    assert asyncio.run(scenario()) == status


def test_a_cross_origin_upload_is_refused_and_stores_nothing(open_server: Served) -> None:
    name = f"cross-{uuid.uuid4().hex}.txt"
    files = {"files": (name, b"a cross-origin upload", "text/plain")}
    with httpx.Client(base_url=open_server.url) as http:
        for headers in ({"origin": "http://evil.example"}, {"referer": "http://evil.example/x"}):
            refused = http.post("gradio_api/upload", files=files, headers=headers)
            assert refused.status_code == 403 and "cross-origin" in refused.text
    time.sleep(0.5)  # Gradio moves uploads into place in a background task
    assert not list(Path(open_server.app.server_app.uploaded_file_dir).rglob(name))


def test_an_indexed_upload_leaves_no_temp_file(open_server: Served, tmp_path: Path) -> None:
    name = f"zorblat-{uuid.uuid4().hex[:8]}.txt"
    shutil.copy(DATA / "zorblat-accord.txt", tmp_path / name)
    client = Client(open_server.url, verbose=False)
    status, *_ = client.predict([handle_file(tmp_path / name)], api_name="/upload")
    assert f"Added: {name}" in status
    folder = Path(open_server.app.server_app.uploaded_file_dir)
    assert folder.name == "uploads" and list(folder.rglob("*")) == []  # Gradio's leak too


def test_abandoned_uploads_are_swept(tmp_path: Path) -> None:
    from assistant.interfaces.web.uploads import discard, sweep

    old, new, kept = tmp_path / "a" / "old.txt", tmp_path / "b" / "new.txt", tmp_path / "c.txt"
    for path in (old, new, kept):
        path.parent.mkdir(exist_ok=True)
        path.write_text("x")
    stamp = time.time() - 3600
    import os

    os.utime(old, (stamp, stamp))
    sweep(tmp_path, older_than=600)
    assert not old.exists() and not old.parent.exists() and new.exists()
    discard([new, Path("/etc/hostname")], root=tmp_path)  # nothing outside the root is touched
    assert not new.exists() and not new.parent.exists() and Path("/etc/hostname").exists()


def test_each_start_gets_an_empty_private_upload_folder(tmp_path: Path) -> None:
    from assistant.interfaces.web.uploads import private_folder

    port = 40000 + uuid.uuid4().int % 20000
    first = private_folder(port)
    (first / "left-by-a-killed-server").mkdir()
    (first / "left-by-a-killed-server" / "upload.txt").write_text("x")
    again = private_folder(port)
    try:
        assert again == first and list(again.iterdir()) == [] and again.stat().st_mode & 0o77 == 0
        shutil.rmtree(again)
        again.symlink_to(tmp_path)  # not a folder of ours: left alone, another one is used
        other = private_folder(port)
        assert other != again and other.is_dir() and again.is_symlink()
        shutil.rmtree(other)
    finally:
        if again.is_symlink():
            again.unlink()
        else:
            shutil.rmtree(again, ignore_errors=True)


@pytest.mark.parametrize(
    ("name", "value"),
    [("web_concurrency", 0), ("web_queue_size", 0), ("allowed_hosts", "http://chat.example/")],
)
def test_bad_web_settings_name_their_variable(name: str, value: object) -> None:
    with pytest.raises(ConfigError, match=f"ASSISTANT_{name.upper()}"):
        Settings.model_validate({name: value})


def test_allowed_hosts_are_read_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_ALLOWED_HOSTS", "chat.example.org, 10.0.0.5,[::1]")
    assert Settings().allowed_hosts == ["chat.example.org", "10.0.0.5", "::1"]
    monkeypatch.delenv("ASSISTANT_ALLOWED_HOSTS")
    assert Settings().allowed_hosts == []


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
def test_the_login_page_renders_and_logs_in_behind_the_guard(login_server: Served) -> None:
    from playwright.sync_api import sync_playwright

    refused: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.on("response", lambda r: refused.append(r.url) if r.status in (401, 403) else None)
        page.goto(login_server.url)
        page.fill("input[type=text]", LOGIN[0])
        page.fill("input[type=password]", LOGIN[1])
        assert refused == []  # the login page had all it needed
        page.keyboard.press("Enter")
        page.wait_for_selector("#chat", timeout=30_000)
        page.fill("#question textarea", QUESTION)
        page.click("#ask")
        page.wait_for_selector("#chat details.ref", timeout=30_000)
        browser.close()
    assert refused == []


# -- item 8: a full queue answers "busy" -----------------------------------------------------


class SlowAnswerer:
    """Takes a second an answer, so a few simultaneous questions fill a small queue."""

    def answer(self, question: str, retrieval: object) -> Answer:
        time.sleep(1.0)
        return Answer("A slow answer.", [], False, [])

    def stream(self, question: str, retrieval: object) -> Iterator[str | Answer]:
        final = self.answer(question, retrieval)
        yield final.text
        yield final


def test_the_admission_answers_busy_once_the_waiting_room_is_full() -> None:
    from assistant.interfaces.web.admission import Admission, Busy

    async def scenario() -> None:
        admission = Admission(slots=1, max_waiting=1)
        release = asyncio.Event()

        async def hold() -> None:
            async with admission.slot():
                await release.wait()

        first = asyncio.create_task(hold())
        await asyncio.sleep(0)
        second = asyncio.create_task(hold())
        await asyncio.sleep(0)
        with pytest.raises(Busy) as caught:
            async with admission.slot():
                pass
        assert caught.value.retry_after >= 1
        assert re.search(r"busy.*retry in \d+ s", str(caught.value))
        second.cancel()  # a client that gives up frees its place
        await asyncio.sleep(0)
        assert admission.waiting == 0
        release.set()
        await first
        async with admission.slot():
            assert admission.running == 1

    asyncio.run(scenario())


def test_a_full_queue_gives_a_busy_answer_not_an_error(tmp_path: Path) -> None:
    settings = {"web_concurrency": 1, "web_queue_size": 1, "answerer": SlowAnswerer()}
    with running(tmp_path, **settings) as served:
        clients = [Client(served.url, verbose=False) for _ in range(6)]
        results: list[str] = []

        def ask(client: Client) -> None:
            try:
                results.append(client.predict(QUESTION, api_name="/chat"))
            except Exception as exc:  # noqa: BLE001 - an error is what must not happen
                results.append(f"error: {exc}")

        page = Page(served.url)
        threads = [threading.Thread(target=ask, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        time.sleep(0.3)  # one answer runs for a second, one waits: the page's question is busy
        shown = page.event("respond", [QUESTION, None, "All sources", []])
        for thread in threads:
            thread.join(60)
    assert shown["success"] and "The assistant is busy" in json.dumps(shown["output"]), shown
    busy = [r for r in results if r.startswith("The assistant is busy")]
    assert [r for r in results if r.startswith("error")] == []
    assert busy and all(re.search(r"retry in \d+ s", r) for r in busy), results
    assert 2 <= sum(r.startswith("A slow answer") for r in results) < 6, results

"""Saved conversations in a real headless Chromium: one survives a restart of the server, can
be reopened, renamed and deleted; its exports are offered for download."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import bibtexparser
import pytest
from fakes import KeywordEmbeddings

from assistant import Assistant
from assistant.interfaces.web import build_app, launch

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
NOTES = (
    "# Invented lighthouse notes\n\nTEST DOCUMENT written for the tests.\n\n"
    "## Keepers\n\nThe quillon lighthouse keepers meet every spring in the invented harbour.\n"
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]

if CHROMIUM.exists():
    from playwright.sync_api import Page, expect, sync_playwright


class Server:
    """The web chat over one sources and index folder; `restart` stops it and starts anew."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.url = ""
        self._start()

    def _start(self) -> None:
        self.assistant = Assistant.open(
            self.folder / "sources", self.folder / "index", embeddings=KeywordEmbeddings()
        )
        self.app = build_app(self.assistant)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = launch(self.app, host="127.0.0.1", port=port, block=False)

    def stop(self) -> None:
        self.app.close()
        self.assistant.close()

    def restart(self) -> None:
        self.stop()
        self._start()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "notes.md").write_text(NOTES, "utf-8")
    served = Server(tmp_path)
    yield served
    served.stop()


@pytest.fixture
def page() -> Iterator[Page]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
        context.close()
        browser.close()


def choose(page: Page, title: str) -> None:
    page.locator("#saved-conversations input").click()
    page.get_by_role("option", name=title).click()


def test_a_conversation_survives_a_restart_and_can_be_renamed_and_deleted(
    server: Server, page: Page
) -> None:
    question = "When do the quillon lighthouse keepers meet?"
    page.goto(server.url)
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_selector("#chat details.ref")
    page.get_by_text("Download the answer or the conversation").click()
    downloads = page.locator("#downloads")
    for name in ("answer.md", "answer.json", "answer.csl.json", "answer.bib"):
        expect(downloads.get_by_role("cell", name=name, exact=True)).to_have_count(1)
    for name in ("conversation.md", "conversation.json", "conversation.csl.json"):
        expect(downloads.get_by_role("cell", name=name, exact=True)).to_have_count(1)

    def download(name: str) -> str:
        row = downloads.get_by_role("row", name=re.compile(rf"^{re.escape(name)} "))
        with page.expect_download() as got:
            row.get_by_role("link").click()
        return Path(got.value.path()).read_text("utf-8")

    entry = bibtexparser.parse_string(download("conversation.bib")).entries[0]
    assert entry.key == "q1-ref1" and entry.fields_dict["title"].value
    assert json.loads(download("answer.csl.json"))[0]["title"]

    server.restart()
    page.goto(server.url)
    page.wait_for_selector("#chat")
    expect(page.locator("#chat .question")).to_have_count(0)
    page.get_by_text("Saved conversations").click()
    choose(page, question)
    page.click("#conversation-open")
    expect(page.locator("#chat .question")).to_have_text([question])
    expect(page.locator("#chat .answer").last).to_contain_text("[1]")
    page.screenshot(path=str(SHOTS / "11-conversation-reopened.png"))

    page.fill("#conversation-title textarea, #conversation-title input", "Keepers")
    page.click("#conversation-rename")
    page.locator("#saved-conversations input").click()
    expect(page.get_by_role("option", name="Keepers")).to_be_visible()
    page.keyboard.press("Escape")
    page.click("#conversation-delete")
    page.locator("#saved-conversations input").click()
    expect(page.get_by_role("option")).to_have_count(0)

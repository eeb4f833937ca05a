"""The document view in a real headless Chromium: a reference opens its whole document with
the quote lit and scrolled into view; markup in a source stays text there too."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import KeywordEmbeddings

from assistant import Assistant
from assistant.interfaces.web import build_app, document, launch

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
DATA = Path(__file__).parents[1] / "data" / "web"
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]

if CHROMIUM.exists():
    from playwright.sync_api import Page, expect, sync_playwright


def _long_commentary() -> str:
    """An invented commentary long enough that its last section is far below the first screen."""
    parts = ["# Invented harbour commentary\n\nTEST DOCUMENT written for the tests.\n"]
    for n in range(40):
        parts.append(
            f"## Section {n}\n\nParagraph {n} talks about tidal gauges and buoy number {n}, "
            "which the invented harbour council inspected during the autumn survey.\n"
        )
    parts.append(
        "## Zephyrine lanterns\n\nThe zephyrine lanterns were approved by the harbour council "
        "for every pier in the invented bay.\n"
    )
    return "\n".join(parts)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("document-view")
    sources = folder / "sources"
    sources.mkdir()
    (sources / "harbour.md").write_text(_long_commentary(), "utf-8")
    shutil.copy(DATA / "xss-source.txt", sources / "xss-source.txt")
    assistant = Assistant.open(sources, folder / "index", embeddings=KeywordEmbeddings())
    app = build_app(assistant)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = launch(app, host="127.0.0.1", port=port, block=False, routes=document.routes(assistant))
    yield url
    app.close()
    assistant.close()


@pytest.fixture
def page(served: str) -> Iterator[Page]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(served)
        page.wait_for_selector("#chat")
        yield page
        context.close()
        browser.close()


def ask_and_open(page: Page, question: str) -> Page:
    """Ask, open the first reference, follow its document link: the document's page."""
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_selector("#chat details.ref")
    page.locator("#chat a.cite").first.click()
    link = page.locator("#chat details.ref[open] a.doc-link").first
    expect(link).to_be_visible()
    with page.context.expect_page() as opened:
        link.click()
    view = opened.value
    view.wait_for_load_state()
    return view


def test_a_reference_opens_its_document_with_the_quote_in_view(page: Page) -> None:
    view = ask_and_open(page, "Which lanterns did the harbour council approve?")
    quote = view.locator("mark#quote")
    expect(quote).to_contain_text("zephyrine lanterns")
    expect(quote).to_be_in_viewport()
    expect(view.locator("nav a", has_text="Zephyrine lanterns")).to_have_class("here")
    expect(view.locator("nav a", has_text="Section 0")).to_be_visible()  # the outline beside
    assert view.evaluate("window.scrollY") > 500  # scrolled down to it, past the first screen
    assert "Paragraph 0 talks about tidal gauges" in view.locator("#text").inner_text()
    view.screenshot(path=str(SHOTS / "10-document-view.png"))


def test_markup_in_a_source_stays_text_in_the_document_view(page: Page) -> None:
    dialogs: list[str] = []
    view = ask_and_open(page, "What did the Quuxian delegation file?")
    view.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    text = view.locator("#text").inner_text()
    assert "<script>window.__pwned=1</script>" in text
    assert '<img src=x onerror="window.__pwned=1">' in text
    assert view.evaluate("typeof window.__pwned") == "undefined"
    assert view.locator("img").count() == 0 and view.locator("#text script").count() == 0
    expect(view.locator("mark#quote")).to_be_in_viewport()
    assert dialogs == []

"""The web chat in a real headless Chromium: ask, open a citation, upload, and stay text-only.

Screenshots go to test-output/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
import shutil
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.interfaces.web import build_app, launch

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parents[1] / "data" / "web"
SHOTS = ROOT / "test-output" / "screenshots"
SCRIPT = "<script>window.__pwned=1</script>"
IMAGE = '<img src=x onerror="window.__pwned=1">'

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium "
        "(apt-get install chromium); Playwright's download is not used",
    ),
]

if CHROMIUM.exists():
    from playwright.sync_api import Browser, Page, expect, sync_playwright


@dataclass
class Served:
    url: str
    folder: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("browser")
    sources = folder / "sources"
    sources.mkdir()
    acts = Path(__file__).parents[1] / "data" / "docs" / "final-acts-sample.txt"  # invented text
    for file in [
        *(ROOT / "sources").iterdir(),
        DATA / "xss-source.txt",
        acts,
        acts.with_name(acts.name + ".meta.json"),
    ]:
        if file.is_file():
            shutil.copy(file, sources / file.name)
    assistant = Assistant.open(sources, folder / "index")
    app = build_app(assistant)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = launch(app, host="127.0.0.1", port=port, block=False)
    yield Served(url, folder)
    app.close()
    assistant.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, served: Served) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    outside: list[str] = []  # no fonts, scripts or analytics from the network
    page.on(
        "request",
        lambda r: (
            None if r.url.startswith((served.url, "data:", "blob:")) else outside.append(r.url)
        ),
    )
    page.goto(served.url)
    page.wait_for_selector("#chat")
    yield page
    context.close()
    assert outside == []


def answers(page: Page) -> int:
    return page.locator("#chat .answer:not(.pending)").count()


def ask(page: Page, question: str) -> None:
    """Type a question, send it, and wait for its final answer."""
    before = answers(page)
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function(
        "n => document.querySelectorAll('#chat .answer:not(.pending)').length > n", arg=before
    )


def shot(page: Page, name: str) -> None:
    page.wait_for_timeout(1800)  # let the flash on an opened reference fade
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_ask_open_a_citation_upload_and_ask_again(page: Page) -> None:
    example = page.locator("#chat").get_by_text("Who can take part in CWG-Internet?")
    expect(example).to_be_visible()
    shot(page, "01-first-screen.png")

    example.click()  # one click on an example asks it
    page.wait_for_selector("#chat details.ref")
    expect(page.locator("#chat .question").last).to_have_text("Who can take part in CWG-Internet?")
    expect(page.locator("#chat .answer").last).to_contain_text("[1]")
    reference = page.locator("#chat details.ref").first
    expect(reference).to_contain_text("ITU Plenipotentiary 2014: Impressions and analysis")
    # Closed until asked for (a reference lights each sentence it quotes: one or more marks).
    expect(reference.locator("mark").first).to_be_hidden()
    shot(page, "02-answer.png")

    page.locator("#chat a.cite").first.click()  # one click from the marker to its passage
    expect(reference).to_have_attribute("open", "")
    highlight = reference.locator("blockquote.passage mark").first
    expect(highlight).to_be_visible()
    expect(highlight).to_contain_text("CWG-Internet")
    paragraph = reference.locator("blockquote.passage").inner_text()
    assert len(paragraph) > len(highlight.inner_text()) + 40  # the quote sits in its paragraph
    shot(page, "03-citation-open.png")

    page.get_by_text("Copy the last answer as Markdown").click()
    expect(page.locator("#answer-markdown textarea")).to_have_value(
        re.compile(r"\*\*References\*\*\n\[1\] ITU Plenipotentiary 2014")
    )

    ask(page, "Who can join it?")  # a follow-up, resolved against the history
    expect(page.locator("#chat .question")).to_have_count(2)

    page.get_by_role("tab", name="Sources").click()
    expect(page.locator("#sources-table")).to_contain_text("commentary")
    page.set_input_files("#upload input[type=file]", DATA / "zorblat-accord.txt")
    expect(page.locator("#index-status")).to_contain_text("Added: zorblat-accord.txt")
    expect(page.locator("#sources-table")).to_contain_text("The Zorblat Accord")
    shot(page, "04-sources-after-upload.png")
    page.click("#reindex")
    expect(page.locator("#index-status")).to_contain_text("0 added, 0 updated, 0 removed")

    page.get_by_role("tab", name="Chat").click()
    ask(page, "Who signed the Zorblat Accord?")
    last = page.locator("#chat .answer").last
    expect(last).to_contain_text("seven lunar cooperatives")
    page.locator("#chat a.cite").last.click()
    expect(page.locator("#chat details.ref[open] mark").last).to_contain_text("Zorblat")
    shot(page, "05-answer-from-upload.png")


def test_source_and_question_markup_is_shown_as_text(page: Page) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    question = f"What did the Quuxian delegation file? {SCRIPT} {IMAGE} **bold?**"
    ask(page, question)
    expect(page.locator("#chat .question").last).to_have_text(question)
    for link in page.locator("#chat a.cite").all():
        link.click()
    chat = page.locator("#chat").inner_text()
    assert chat.count(SCRIPT) >= 2 and chat.count(IMAGE) >= 2  # question and source passage
    assert "**not bold**" in chat or "Quuxian" in chat
    shot(page, "06-xss-chat.png")

    page.get_by_role("tab", name="Sources").click()
    expect(page.locator("#sources-table")).to_contain_text(
        f"Quuxian filing {SCRIPT} ${{window.__pwned=1}}"
    )
    shot(page, "07-xss-sources.png")

    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img[src='x']").count() == 0
    # Gradio's inline config holds the titles JSON-escaped (\u003cscript...); no element of
    # the page may be an injected script.
    assert (
        page.evaluate(
            "Array.from(document.scripts)"
            ".filter(s => s.text.trim().startsWith('window.__pwned')).length"
        )
        == 0
    )
    assert dialogs == []


def test_sources_panel_lists_resolutions_under_their_file(page: Page) -> None:
    page.get_by_role("tab", name="Sources").click()
    table = page.locator("#sources-table")
    expect(table.locator("tr.file", has_text="Sample final acts")).to_have_count(1)
    expect(table.locator("tr.child", has_text="↳ Resolution 999")).to_have_count(1)
    child = table.locator("tr.child td").first.evaluate("td => getComputedStyle(td).paddingLeft")
    assert float(child.rstrip("px")) >= 20  # indented under its file
    shot(page, "00-sources-panel.png")


def test_filters_narrow_the_search(page: Page) -> None:
    page.locator("#scope").get_by_text("Resolutions").click()
    ask(page, "Who can take part in CWG-Internet?")  # the only commentary says
    reply = page.locator("#chat .answer").last.locator("xpath=..")
    expect(reply).not_to_contain_text("ITU Plenipotentiary 2014: Impressions")

    page.locator("#scope").get_by_text("All sources").click()
    page.locator("#only-sources input").click()
    page.get_by_role("option", name=re.compile("Quuxian filing")).click()
    page.keyboard.press("Escape")
    ask(page, "Who can take part in CWG-Internet?")
    last = page.locator("#chat .answer").last.locator("xpath=..")
    expect(last).not_to_contain_text("ITU Plenipotentiary 2014: Impressions")
    shot(page, "08-filters.png")

    page.locator("#chat button[aria-label='Clear']").click()  # a new conversation
    expect(page.locator("#chat .question")).to_have_count(0)


def test_two_sessions_keep_their_own_conversations(browser: Browser, served: Served) -> None:
    pages = []
    for _ in range(2):
        context = browser.new_context()
        pages.append(context.new_page())
        pages[-1].goto(served.url)
        pages[-1].wait_for_selector("#chat")
    first, second = pages
    ask(first, "Who can take part in CWG-Internet?")
    ask(second, "What did the conference decide about counterfeit devices?")
    expect(first.locator("#chat .question")).to_have_text(["Who can take part in CWG-Internet?"])
    expect(second.locator("#chat .question")).to_have_text(
        ["What did the conference decide about counterfeit devices?"]
    )
    for p in pages:
        p.context.close()


def test_describe_then_remove_a_source_with_a_confirmation(page: Page, served: Served) -> None:
    # Last in this file: it changes the module's sources (#13).
    page.get_by_role("tab", name="Sources").click()
    page.get_by_text("Describe or remove a source").click()
    table = page.locator("#sources-table")

    def choose(title: str) -> None:
        page.locator("#manage-source input").click()
        page.get_by_role("option", name=re.compile(title)).click()

    choose("Sample final acts")
    expect(page.locator("#describe-title input, #describe-title textarea")).to_have_value(
        re.compile("Sample final acts")
    )
    page.locator("#describe-title input, #describe-title textarea").fill("Renamed acts")
    page.locator("#describe-save").click()
    expect(table.locator("tr.file", has_text="Renamed acts")).to_have_count(1)

    choose("Renamed acts")
    page.locator("#remove").click()
    expect(page.locator("#remove-question")).to_contain_text("final-acts-sample.txt")
    assert (served.folder / "sources" / "final-acts-sample.txt").exists()  # not before "Delete"
    page.locator("#remove-confirm").click()
    expect(table.locator("tr.file", has_text="Renamed acts")).to_have_count(0)
    assert not (served.folder / "sources" / "final-acts-sample.txt").exists()
    shot(page, "09-removed-a-source.png")

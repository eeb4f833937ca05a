"""The compare view in a real headless Chromium: reached from the Sources tab, two columns,
changes highlighted, source markup shown as text, each side opening its document view. Fake
embeddings: comparing embeds nothing.

Screenshots go to test-output/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import KeywordEmbeddings
from helpers.editions import NEW, OLD, copy_editions

from assistant import Assistant
from assistant.interfaces.web import build_app, document, launch

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
ADDED = "that the list shall be published in a machine-readable form;"
HOSTILE = 'that the list shall be published <img src=x onerror="window.__pwned=1"> <b>in bold</b>;'

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
    ),
]

if CHROMIUM.exists():
    from playwright.sync_api import Page, expect, sync_playwright


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("compare-view")
    sources = copy_editions(root / "sources")
    newer = sources / NEW
    newer.write_text(newer.read_text("utf-8").replace(ADDED, HOSTILE), "utf-8")
    assistant = Assistant.open(sources, root / "index", embeddings=KeywordEmbeddings())
    app = build_app(assistant)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    yield launch(app, host="127.0.0.1", port=port, block=False, routes=document.routes(assistant))
    app.close()
    assistant.close()


@pytest.fixture
def page(url: str) -> Iterator[Page]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(30_000)
        page.goto(url)
        page.wait_for_selector("#chat")
        yield page
        browser.close()


def open_view(page: Page) -> None:
    page.get_by_role("tab", name="Sources").click()
    page.locator("#compare").get_by_text("Compare editions").click()


def test_two_editions_side_by_side_with_the_changes_marked(page: Page) -> None:
    open_view(page)
    page.locator("#compare-act input").click()
    page.get_by_role("option", name="Resolution 130").click()
    page.click("#compare-run")
    view = page.locator("#compare-view")
    expect(view.locator("table.compare-table")).to_be_visible()
    expect(view.locator(".compare-head")).to_have_text("Resolution 130: 6 changed, 7 unchanged")
    header = view.locator("thead th")
    expect(header.nth(1)).to_contain_text("Rev. Guadalajara, 2010")
    expect(header.nth(2)).to_contain_text("Rev. Busan, 2014")
    expect(view.locator("tr.added")).to_have_count(2)
    expect(view.locator("tr.removed")).to_have_count(1)
    expect(view.locator("tr.moved")).to_have_count(2)
    reworded = view.locator("tr.modified")
    expect(reworded.locator("td.new ins")).to_have_text(["and high winds", "often"])
    expect(reworded.locator("td.old")).to_contain_text("that storms over the invented")
    # An item only in the older edition leaves the newer column empty.
    expect(view.locator("tr.removed td.new")).to_have_text("—")
    # Each highlighted row stands out from an unchanged one.
    colour = view.locator("tr.removed td.old").evaluate(
        "td => getComputedStyle(td).backgroundColor"
    )
    plain = view.locator("tr.unchanged td.old").first.evaluate(
        "td => getComputedStyle(td).backgroundColor"
    )
    assert colour != plain
    page.screenshot(path=str(SHOTS / "20-compare-view.png"), full_page=True)


@pytest.mark.parametrize(
    ("side", "source", "quote"),
    [
        ("new", NEW, "that storms and high winds over the invented northern coast often disturb"),
        ("old", OLD, "that storms over the invented northern coast disturb the flight"),
    ],
)
def test_each_side_opens_its_document_with_the_item_lit(
    page: Page, side: str, source: str, quote: str
) -> None:
    open_view(page)
    page.locator("#compare-act input").fill("130")
    page.keyboard.press("Enter")
    page.click("#compare-run")
    cell = page.locator("#compare-view tr.modified td." + side).filter(has_text="storms")
    link = cell.locator("a.doc-link")
    expect(link).to_have_attribute("target", "_blank")
    with page.context.expect_page() as opened:
        link.click()
    view = opened.value
    view.wait_for_load_state()
    assert view.url.split("?")[0].endswith(f"/sources/{source}")
    mark = view.locator("mark#quote")
    expect(mark).to_contain_text(quote)
    expect(mark).to_be_in_viewport()
    expect(view.locator("header p")).to_contain_text(source)
    assert view.locator("mark").count() == 1  # that item alone is lit
    if side == "new":
        view.screenshot(path=str(SHOTS / "21-compare-to-document.png"))


def test_source_markup_is_shown_as_text(page: Page) -> None:
    open_view(page)
    page.locator("#compare-act input").fill("130")
    page.keyboard.press("Enter")
    page.click("#compare-run")
    added = page.locator("#compare-view tr.added td.new").filter(has_text="published")
    expect(added).to_contain_text('<img src=x onerror="window.__pwned=1"> <b>in bold</b>')
    assert page.locator("#compare-view img, #compare-view td b").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_an_act_held_once_is_explained(page: Page) -> None:
    open_view(page)
    page.locator("#compare-act input").fill("978")
    page.keyboard.press("Enter")
    page.click("#compare-run")
    expect(page.locator("#compare-view .compare-error")).to_have_text(
        re.compile(r"Resolution 978 is indexed in one edition only")
    )


def test_an_answer_about_a_revised_act_opens_its_comparison(page: Page) -> None:
    before = page.locator("#chat .answer:not(.pending)").count()
    page.fill("#question textarea", "What changed in Resolution 101 in Busan?")
    page.click("#ask")
    page.wait_for_function(
        "n => document.querySelectorAll('#chat .answer:not(.pending)').length > n", arg=before
    )
    expect(page.locator("#chat .answer").last).to_contain_text("1 change in its text")
    open_view(page)
    view = page.locator("#compare-view")
    expect(view.locator(".compare-head")).to_have_text("Resolution 101: 1 changed, 5 unchanged")
    expect(view.locator("tr.modified td.new ins")).to_have_text("many")
    expect(view.locator("tr.modified td.old del")).to_have_text("some")

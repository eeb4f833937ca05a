"""Bounded parsing: pdf, docx and html are read in a worker process under memory, CPU and time
limits (assistant/ingest/sandbox.py), so a hostile file costs seconds and no memory here.

The hostile files are built by the tests, small on disk: a .docx whose zip directory lies about
a part's size, deeply nested HTML, and toy loaders (registered for made-up suffixes) that hang,
spin or allocate without end. The parent's memory is sampled while a file is read.
"""

from __future__ import annotations

import io
import os
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fakes import KeywordEmbeddings

from assistant import Assistant
from assistant.config import Settings
from assistant.errors import SourceError
from assistant.ingest import loaders, sources

SHIPPED = Path(__file__).resolve().parents[2]  # the repository: tests/integration/this file
IMPRESSIONS = (SHIPPED / "sources" / "itu-plenipot-2014-impressions.txt").read_text("utf-8")
PARAGRAPHS = [p.strip() for p in IMPRESSIONS.split("\n\n") if p.strip()]


# -- toy loaders, run in the worker (module level, so a worker can import them) --------------


def sleep_forever(data: bytes) -> str:
    """A parser that waits for ever (as on a lock or a network read)."""
    time.sleep(3600)
    return "never"


def spin_forever(data: bytes) -> str:
    """A parser caught in a loop."""
    while True:
        pass


def allocate_without_end(data: bytes) -> str:
    """A parser that keeps allocating: up to 2 GiB, in 32 MiB pieces it touches."""
    held = [bytearray(32 << 20) for _ in range(64)]
    return f"held {len(held)} pieces"


@pytest.fixture
def registry() -> Iterator[None]:
    """Let a test register loaders; the registry is as it was afterwards."""
    saved = dict(loaders.LOADERS)
    yield
    loaders.LOADERS.clear()
    loaders.LOADERS.update(saved)


@pytest.fixture(scope="module", autouse=True)
def _warm_worker() -> None:
    """Start a worker once, so that the timings below measure reading, not starting."""
    loaders.LOADERS[".html"].read(b"<p>warm</p>")


# -- helpers ----------------------------------------------------------------------------------


def rss() -> int:
    """This process's resident memory, in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measured(call: Callable[[], object]) -> tuple[BaseException | None, float, int]:
    """Run `call`: the exception it raised (or None), its seconds and the peak growth of RSS."""
    before = rss()
    peak = before
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    raised: BaseException | None = None
    try:
        call()
    except BaseException as exc:  # noqa: BLE001 - the caller asserts on it
        raised = exc
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return raised, seconds, max(peak, rss()) - before


def worker_pids() -> set[int]:
    """The live (not zombie) child processes of this one that are sandbox workers."""
    found: set[int] = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z" and b"sandbox" in command:
            found.add(int(stat.parent.name))
    return found


def load(path: Path) -> sources.LoadedSource:
    """Read a file as indexing does."""
    return sources.load(sources.SourceFile(path.name, path, "digest"))


def write_pdf(path: Path, paragraphs: list[str]) -> Path:
    """A text PDF of `paragraphs` (fpdf2's core font, so Latin-1 only)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    for paragraph in paragraphs:
        pdf.multi_cell(0, 5, paragraph.encode("latin-1", "replace").decode("latin-1"))
        pdf.ln(3)
    pdf.output(str(path))
    return path


def write_docx(path: Path, paragraphs: list[str]) -> Path:
    """A Word document of `paragraphs`, with a heading and a table."""
    import docx

    document = docx.Document()
    document.add_heading("Impressions of the conference", level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "a cell"
    document.save(str(path))
    return path


def write_html(path: Path, paragraphs: list[str]) -> Path:
    """An HTML page of `paragraphs`, with a script, nesting and an entity."""
    body = "".join(f"<div><p><b>{i}</b> {p}</p></div>" for i, p in enumerate(paragraphs))
    path.write_text(
        f"<html><head><title>t</title><script>x()</script></head><body>{body}"
        "<ul><li>one &amp; two</li></ul></body></html>",
        "utf-8",
    )
    return path


def template_docx() -> zipfile.ZipFile:
    """The parts of a small real Word document."""
    import docx

    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("A small document.")
    document.save(buffer)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def set_declared_size(path: Path, name: str, size: int) -> None:
    """Make the zip's local header and central directory claim `size` bytes for part `name`."""
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(name).header_offset
    raw[local + 22 : local + 26] = size.to_bytes(4, "little")
    central = raw.rfind(b"PK\x01\x02", 0, raw.rfind(name.encode()))
    raw[central + 24 : central + 28] = size.to_bytes(4, "little")
    path.write_bytes(bytes(raw))


def lying_docx(path: Path, megabytes: int = 200) -> Path:
    """A .docx whose document.xml inflates to `megabytes` MB but declares 4 KB."""
    template = template_docx()
    paragraph = b"<w:p><w:r><w:t>bomb</w:t></w:r></w:p>"
    chunk = paragraph * ((1 << 20) // len(paragraph))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in template.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info, template.read(info))
                continue
            head, tail = template.read(info).split(b"<w:body>")
            with archive.open("word/document.xml", "w") as member:
                member.write(head + b"<w:body>")
                for _ in range(megabytes):
                    member.write(chunk)
                member.write(tail)
    set_declared_size(path, "word/document.xml", 4096)
    return path


# -- the .docx archive ------------------------------------------------------------------------


def test_a_docx_whose_directory_lies_is_refused_quickly_without_memory_growth(
    tmp_path: Path,
) -> None:
    bomb = lying_docx(tmp_path / "bomb.docx")
    assert bomb.stat().st_size < 1 << 20  # 200 MB of XML in well under 1 MB
    raised, seconds, growth = measured(lambda: load(bomb))
    assert isinstance(raised, SourceError), raised
    assert growth < 40 << 20, f"the parent grew by {growth >> 20} MB"
    assert seconds < 5
    assert str(raised) == (
        "bomb.docx: part 'word/document.xml' of the .docx would inflate past the 4096 bytes "
        "it declares; refused as unsafe"
    )


def test_a_docx_part_that_declares_more_than_deflate_can_reach_is_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ratio.docx"
    template = template_docx()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in template.infolist():
            archive.writestr(info, template.read(info))
        archive.writestr("word/media/image1.png", os.urandom(20_000))
    set_declared_size(path, "word/media/image1.png", 150 << 20)  # under the 200 MB cap
    with pytest.raises(SourceError, match="more than it could inflate to; refused as unsafe"):
        load(path)


# -- HTML -------------------------------------------------------------------------------------


def test_deeply_nested_html_is_stopped_at_the_cpu_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_PARSE_CPU_SECONDS", "2")
    page = tmp_path / "deep.html"
    page.write_text("<html><body>" + "<b>" * 500_000 + "deep</body></html>")  # 1.5 MB
    raised, seconds, growth = measured(lambda: load(page))
    assert str(raised) == (
        "deep.html: used more than 2 s of CPU time to read; raise ASSISTANT_PARSE_CPU_SECONDS "
        "or split the file"
    )
    assert seconds < 15  # 2 s of CPU, on a busy machine; in-process it takes a minute
    assert growth < 40 << 20, f"the parent grew by {growth >> 20} MB"


def test_nested_html_within_the_limits_is_read_as_in_process(tmp_path: Path) -> None:
    data = ("<html><body>" + "<div><b>" * 5_000 + "deep text" + "</body></html>").encode()
    html = loaders.LOADERS[".html"]
    assert html.read(data) == loaders.html_file_text(data) == "deep text\n"


# -- toy parsers that hang, spin or allocate --------------------------------------------------


@pytest.mark.usefixtures("registry")
def test_a_parser_that_hangs_is_killed_at_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_PARSE_TIMEOUT", "1")
    loaders.register_loader(".hang", sleep_forever)
    path = tmp_path / "stuck.hang"
    path.write_text("anything")
    before = worker_pids()
    raised, seconds, _ = measured(lambda: load(path))
    assert str(raised) == (
        "stuck.hang: took more than 1 s to read; raise ASSISTANT_PARSE_TIMEOUT or split the file"
    )
    assert isinstance(raised, SourceError)
    assert seconds < 5
    assert worker_pids() <= before  # the worker that hung was killed and reaped


@pytest.mark.usefixtures("registry")
def test_a_parser_that_spins_is_stopped_at_the_cpu_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_PARSE_CPU_SECONDS", "1")
    loaders.register_loader(".spin", spin_forever)
    path = tmp_path / "loop.spin"
    path.write_text("anything")
    raised, seconds, _ = measured(lambda: load(path))
    assert str(raised) == (
        "loop.spin: used more than 1 s of CPU time to read; raise ASSISTANT_PARSE_CPU_SECONDS "
        "or split the file"
    )
    assert seconds < 10


@pytest.mark.usefixtures("registry")
def test_a_parser_that_allocates_too_much_is_stopped_at_the_memory_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_PARSE_MEMORY_MB", "700")
    loaders.register_loader(".hog", allocate_without_end)
    path = tmp_path / "greedy.hog"
    path.write_text("anything")
    raised, seconds, growth = measured(lambda: load(path))
    assert str(raised) == (
        "greedy.hog: needed more than 700 MB of memory to read; raise ASSISTANT_PARSE_MEMORY_MB "
        "or split the file"
    )
    assert seconds < 10
    assert growth < 40 << 20, f"the parent grew by {growth >> 20} MB"


@pytest.mark.usefixtures("registry")
def test_a_loader_a_worker_cannot_import_is_refused_when_registered() -> None:
    with pytest.raises(ValueError, match="define the loader at module level"):
        loaders.register_loader(".lambda", lambda data: data.decode())
    # In-process, any callable will do (as for plain text).
    loaders.register_loader(".lambda", lambda data: data.decode().upper(), isolated=False)
    assert loaders.LOADERS[".lambda"].read(b"shout") == "SHOUT"


def test_plain_text_is_read_in_process_and_the_structured_formats_are_not() -> None:
    isolated = {suffix: f.isolated for suffix, f in loaders.LOADERS.items()}
    assert isolated == {
        ".pdf": True,
        ".txt": False,
        ".md": False,
        ".html": True,
        ".htm": True,
        ".docx": True,
    }


# -- normal documents -------------------------------------------------------------------------

WRITERS = {".pdf": write_pdf, ".docx": write_docx, ".html": write_html}


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_a_normal_document_is_read_as_in_process(tmp_path: Path, suffix: str) -> None:
    path = WRITERS[suffix](tmp_path / f"impressions{suffix}", PARAGRAPHS)
    data = path.read_bytes()
    found = loaders.find_loader(path)
    assert found is not None and found.isolated
    in_process = loaders.as_extracted(found.parse(data))
    assert found.extract(data) == in_process
    assert found.read(data) == in_process.text
    assert "CWG-Internet" in in_process.text
    assert load(path).text == sources.normalize(in_process.text)


def test_files_read_from_many_threads_at_once_come_back_right(tmp_path: Path) -> None:
    paths = [
        WRITERS[suffix](tmp_path / f"doc{i}{suffix}", PARAGRAPHS[i : i + 5])
        for i, suffix in enumerate(sorted(WRITERS) * 3)
    ]
    expected = {
        p: loaders.as_extracted(loaders.LOADERS[p.suffix].parse(p.read_bytes())).text for p in paths
    }
    with ThreadPoolExecutor(max_workers=3) as pool:
        texts = pool.map(lambda p: loaders.LOADERS[p.suffix].read(p.read_bytes()), paths)
        got = dict(zip(paths, texts, strict=True))
    assert got == expected


# -- a folder with one hostile file -----------------------------------------------------------


def test_the_rest_of_a_folder_indexes_when_files_hit_limits(
    fake_assistant: Assistant, sources_dir: Path
) -> None:
    fake_assistant.settings = fake_assistant.settings.model_copy(update={"parse_cpu_seconds": 2})
    lying_docx(sources_dir / "bomb.docx")
    (sources_dir / "deep.html").write_text("<body>" + "<b>" * 500_000 + "deep</body>")
    write_pdf(sources_dir / "report.pdf", PARAGRAPHS[:6])
    write_docx(sources_dir / "notes.docx", PARAGRAPHS[6:12])
    write_html(sources_dir / "page.html", PARAGRAPHS[12:18])
    report = fake_assistant.reindex()
    failed = dict(report.failed)
    assert sorted(failed) == ["bomb.docx", "deep.html"]
    assert "refused as unsafe" in failed["bomb.docx"]
    assert "raise ASSISTANT_PARSE_CPU_SECONDS" in failed["deep.html"]
    assert sorted(report.added) == ["notes.docx", "page.html", "report.pdf"]
    indexed = {s.id for s in fake_assistant.sources()}
    assert {"notes.docx", "page.html", "report.pdf", "itu-plenipot-2014-impressions.txt"} <= indexed
    assert PARAGRAPHS[6].split(".")[0] in (fake_assistant.source_text("notes.docx") or "")


@pytest.mark.usefixtures("registry")
def test_the_limits_of_the_settings_given_to_open_are_the_ones_used(
    sources_dir: Path, tmp_path: Path, keyword_embeddings: KeywordEmbeddings
) -> None:
    # No ASSISTANT_PARSE_TIMEOUT in the environment: the Settings object alone says 1 s.
    loaders.register_loader(".hang", sleep_forever)
    (sources_dir / "stuck.hang").write_text("anything")
    settings = Settings(sources=sources_dir, index=tmp_path / "index", parse_timeout=1.0)
    started = time.monotonic()
    opened = Assistant.open(settings=settings, embeddings=keyword_embeddings)
    try:
        report = opened.last_report
        assert report is not None
        reasons = dict(report.failed)
        assert "took more than 1 s" in reasons["stuck.hang"]
        assert time.monotonic() - started < 30
    finally:
        opened.close()

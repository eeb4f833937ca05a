"""Loaders: one per document format, in a registry keyed by lower-case file suffix.

Adding a format is one call, `register_loader(".odt", read_odt, label="odt")`: finding sources
(`sources.scan`), reading them (`sources.load`), the names `Assistant.add_source` accepts and
the file types the web page offers for upload all read this registry.

A loader gets the file's bytes, already checked against `MAX_FILE_BYTES`, and returns its text,
or an `Extracted` with the text and what the file says of itself (its embedded title; whether
it is a scan without a text layer). `sources.load` then normalises the text, checks it against
`MAX_TEXT_CHARS` and chooses a title (`titles`). It
raises `SourceError` with the reason; `sources.load` puts the file's id in front. Any other
exception a loader raises is reported as "cannot read as .suffix" for that file.

`Format.read` runs a loader in a worker process under memory, CPU and time limits (`sandbox`,
the `ASSISTANT_PARSE_*` settings) unless the format was registered with `isolated=False`: the
formats whose parsers walk untrusted structure (pdf, docx, html, and by default any format
registered later) are isolated; plain text is decoded in-process, bounded by `MAX_FILE_BYTES`.
"""

from __future__ import annotations

import io
import pickle
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import SourceError
from assistant.index.pages import join_pages
from assistant.ingest import archive, markup, sandbox
from assistant.ingest.sandbox import Extracted, Loader, ParseLimits

# The limits every loader works within: the largest file it is given, the most text it may give.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_TEXT_CHARS = 5_000_000
# A .docx is a zip: refuse archives that would inflate past this (decompression bombs).
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024
# python-docx parses the XML parts in memory (about 4 bytes of RAM and 0.15 us per byte):
# a text within MAX_TEXT_CHARS never needs more markup than this.
MAX_DOCX_XML = 8 * MAX_TEXT_CHARS
# Word writes a few dozen parts (a few hundred with many images).
MAX_DOCX_PARTS = 10_000
# A worker refuses text this long rather than copying it back: the caller's memory stays small
# (sources.load refuses anything over MAX_TEXT_CHARS once normalised).
MAX_WORKER_CHARS = 4 * MAX_TEXT_CHARS

# A PDF page that yields fewer word characters than this has no text layer to speak of (a
# scanned page gives none, or a stray page number); a PDF of such pages is taken for a scan.
MIN_PAGE_CHARS = 16
# A PDF counts as scanned when at most this share of its pages have text.
MAX_TEXT_PAGE_SHARE = 0.1


@dataclass(frozen=True)
class Format:
    """A registered document format: a suffix, the label people see, and its loader."""

    suffix: str  # lower case, with the dot: ".pdf"
    label: str  # what the upload field lists: "pdf"; ".html" and ".htm" share "html"
    parse: Loader
    isolated: bool = True  # parse in a worker process under the sandbox's limits

    def read(self, data: bytes, *, limits: ParseLimits | None = None) -> str:
        """The text of a file's bytes, read by the loader in a worker if the format is isolated.

        `limits` default to the `ASSISTANT_PARSE_*` settings, read at each call. A limit that
        is hit is a SourceError naming the limit and the setting that raises it.
        """
        return self.extract(data, limits=limits).text

    def extract(self, data: bytes, *, limits: ParseLimits | None = None) -> Extracted:
        """The text of a file's bytes with what the file says of itself (see `read`)."""
        if not self.isolated:
            found = self.parse(data)
        else:
            limits = limits or ParseLimits.from_settings()
            found = sandbox.run(self.parse, data, limits=limits, max_chars=MAX_WORKER_CHARS)
        return as_extracted(found)


def as_extracted(found: str | Extracted) -> Extracted:
    """A loader's result as an `Extracted` (a loader may return the bare text)."""
    return found if isinstance(found, Extracted) else Extracted(found)


# The registry; change it through register_loader. Insertion order is the order labels show in.
LOADERS: dict[str, Format] = {}
_SUFFIX = re.compile(r"\.[a-z0-9]+")


def register_loader(
    suffixes: str | Iterable[str], read: Loader, *, label: str = "", isolated: bool = True
) -> None:
    """Read files ending in `suffixes` (".pdf", or [".html", ".htm"]) with `read`.

    Suffixes are matched without regard to case. A suffix registered before gets the new
    loader. `label` names the format for people; it defaults to the first suffix without a dot.
    `read` runs in a worker process under memory, CPU and time limits unless `isolated` is
    False (for decoding plain text); a loader run in a worker is a module-level function.
    """
    names = [suffixes] if isinstance(suffixes, str) else list(suffixes)
    if not names:
        raise ValueError("register_loader needs at least one suffix, such as '.pdf'")
    for name in names:
        if not _SUFFIX.fullmatch(name.lower()):
            raise ValueError(
                f"cannot register a loader for {name!r}: a suffix is a dot followed by letters "
                "or digits, such as '.pdf'"
            )
    if isolated:
        try:
            pickle.dumps(read)  # what the worker is sent: the function's module and name
        except (pickle.PicklingError, AttributeError, TypeError):
            raise ValueError(
                f"cannot run {read!r} in a worker process: define the loader at module level "
                "(not a lambda or a nested function), or register it with isolated=False"
            ) from None
    shown = label or names[0].lower().lstrip(".")
    for name in names:
        LOADERS[name.lower()] = Format(name.lower(), shown, read, isolated)


def find_loader(path: Path) -> Format | None:
    """The registered format of `path` (by its suffix, in any case); None if there is none."""
    return LOADERS.get(path.suffix.lower())


def accepted_suffixes() -> list[str]:
    """Every registered suffix, sorted: what is scanned, added and offered for upload."""
    return sorted(LOADERS)


def format_labels() -> list[str]:
    """Each format's label once, in the order they were registered: pdf, txt, md, html, docx."""
    return list(dict.fromkeys(f.label for f in LOADERS.values()))


# -- the built-in formats -------------------------------------------------------------------


def decode(data: bytes) -> str:
    """Decode text: UTF-8 or UTF-16 with a BOM, UTF-8, else a legacy 8-bit code page."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise SourceError("looks like a binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _binary_share(data) > 0.1:
        raise SourceError("looks like a binary file, not text")
    # cp1252 is what legacy Western files mostly are; latin-1 never fails as a last resort.
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _binary_share(data: bytes) -> float:
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls / max(1, len(sample))


def html_text(text: str) -> str:
    """Visible text of an HTML page, one paragraph per block (see `markup`)."""
    return markup.html_text(text)


def html_file_text(data: bytes) -> str:
    """The visible text of an HTML file."""
    return markup.html_text(decode(data))


def pdf_text(data: bytes) -> Extracted:
    """The text layer of a PDF, page after page, its /Title, and whether it looks scanned.

    Where each page starts in the text is kept, and the printed page labels ("iii", "123")
    when the PDF declares them (pypdf numbers pages 1, 2 ... otherwise: those are not kept).
    """
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages = [page.extract_text() or "" for page in reader.pages]
    with_text = sum(1 for page in pages if len(re.findall(r"\w", page)) >= MIN_PAGE_CHARS)
    # A PDF without pages is empty, not scanned: `sources.load` says no text could be found.
    scanned = bool(pages) and with_text <= MAX_TEXT_PAGE_SHARE * len(pages)
    text, starts = join_pages(pages)
    return Extracted(
        text,
        title=_pdf_title(reader),
        scanned=scanned,
        page_starts=starts,
        page_labels=_page_labels(reader, len(pages)),
    )


def _page_labels(reader: Any, count: int) -> tuple[str, ...]:
    """The printed labels of a PDF's pages, or () when it declares none (or they are damaged)."""
    try:
        if "/PageLabels" not in reader.trailer["/Root"]:
            return ()
        labels = tuple(str(label) for label in reader.page_labels)
    except Exception:  # noqa: BLE001 - damaged labels only cost the printed page numbers
        return ()
    return labels if len(labels) == count else ()


def _pdf_title(reader: Any) -> str:
    try:
        title = reader.metadata.title if reader.metadata else None
    except Exception:  # noqa: BLE001 - a damaged info dictionary only costs the title
        return ""
    return str(title) if title else ""


_HEADING_STYLES = re.compile(r"^(?:Heading [1-6]|Title|Subtitle)$")


def docx_text(data: bytes) -> Extracted:
    """A Word document's paragraphs and table rows in order, and its core-properties title.

    A table row is a paragraph of its cells joined by " | "; a heading is a paragraph of one
    line. Archives that would inflate too far are refused.
    """
    archive.check_docx(
        data, max_parts=MAX_DOCX_PARTS, max_inflated=MAX_DOCX_UNCOMPRESSED, max_markup=MAX_DOCX_XML
    )
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(data))
    blocks: list[str] = []
    for part in document.iter_inner_content():
        if isinstance(part, Table):
            blocks.extend(_rows(part))
            continue
        text = part.text.strip()
        style = part.style.name if part.style is not None else ""
        if text and _HEADING_STYLES.match(style or ""):
            text = " ".join(text.split())  # a heading is one line, whatever breaks it holds
        if text:
            blocks.append(text)
    return Extracted("\n\n".join(blocks), title=document.core_properties.title or "")


def _rows(table: Any) -> list[str]:
    """Each row of a Word table as one line, its cells joined by " | " (merged cells once)."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per grid column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


# Registered like any other loader; this order is the order the upload field lists them in.
register_loader(".pdf", pdf_text)
register_loader(".txt", decode, isolated=False)
register_loader(".md", decode, isolated=False)
register_loader([".html", ".htm"], html_file_text)
register_loader(".docx", docx_text)
# A worker imports the parsers once, before its first file, not while a file's clock runs.
sandbox.preload(__name__, "bs4", "bs4.builder", "pypdf", "docx", "lxml.etree")

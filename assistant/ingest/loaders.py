"""Loaders: one per document format, in a registry keyed by lower-case file suffix.

Adding a format is one call, `register_loader(".odt", read_odt, label="odt")`: finding sources
(`sources.scan`), reading them (`sources.load`), the names `Assistant.add_source` accepts and
the file types the web page offers for upload all read this registry.

A loader gets the file's bytes, already checked against `MAX_FILE_BYTES`, and returns its text
(`sources.load` then normalises it, checks it against `MAX_TEXT_CHARS` and finds a title). It
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import SourceError
from assistant.ingest import archive, sandbox
from assistant.ingest.sandbox import ParseLimits

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

Loader = Callable[[bytes], str]
"""A file's bytes to its extracted text; raises SourceError saying why it cannot."""


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
        if not self.isolated:
            return self.parse(data)
        limits = limits or ParseLimits.from_settings()
        return sandbox.run(self.parse, data, limits=limits, max_chars=MAX_WORKER_CHARS)


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


def html_text(markup: str) -> str:
    """Visible text of an HTML page, one block per paragraph; scripts and styles dropped."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "iframe", "object", "head"]):
        tag.decompose()
    text = _block_text(soup)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


_BLOCKS = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "section"})
_BREAK = object()


def _block_text(root: Any) -> str:
    """The strings under `root` in order, a blank line around each block element.

    One walk with an explicit stack: linear in the size of the tree and safe for deep nesting
    (BeautifulSoup's insert_before/insert_after cost O(siblings) each: quadratic overall).
    """
    from bs4.element import CData, NavigableString, Tag

    out: list[str] = []
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if node is _BREAK:
            out.append("\n\n")
        elif isinstance(node, Tag):
            if node.name in _BLOCKS:
                out.append("\n\n")
                stack.append(_BREAK)
            stack.extend(reversed(node.contents))
        elif type(node) in (NavigableString, CData):  # not comments, doctypes, declarations
            out.append(str(node))
    return "".join(out)


def html_file_text(data: bytes) -> str:
    """The visible text of an HTML file."""
    return html_text(decode(data))


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF, page after page."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def docx_text(data: bytes) -> str:
    """The paragraphs of a Word document; archives that would inflate too far are refused."""
    archive.check_docx(
        data, max_parts=MAX_DOCX_PARTS, max_inflated=MAX_DOCX_UNCOMPRESSED, max_markup=MAX_DOCX_XML
    )
    import docx

    document = docx.Document(io.BytesIO(data))
    return "\n\n".join(p.text for p in document.paragraphs if p.text.strip())


# Registered like any other loader; this order is the order the upload field lists them in.
register_loader(".pdf", pdf_text)
register_loader(".txt", decode, isolated=False)
register_loader(".md", decode, isolated=False)
register_loader([".html", ".htm"], html_file_text)
register_loader(".docx", docx_text)
# A worker imports the parsers once, before its first file, not while a file's clock runs.
sandbox.preload(__name__, "bs4", "bs4.builder", "pypdf", "docx", "lxml.etree")

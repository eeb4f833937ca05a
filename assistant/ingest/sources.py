"""Source files: find them under `sources/`, read their metadata sidecars, extract their text.

A source's id is its path relative to `sources/`, with forward slashes. Its metadata lives in
an optional JSON sidecar next to it, `<file>.meta.json` (title, author, publisher, date, kind).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import SourceError

logger = logging.getLogger(__name__)

SUFFIXES = frozenset({".txt", ".md", ".html", ".htm", ".pdf", ".docx"})
SIDECAR = ".meta.json"
# Files in sources/ that describe the folder rather than being sources.
IGNORED_NAMES = frozenset({"README.md"})
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_TEXT_CHARS = 5_000_000
# A .docx is a zip: refuse archives that would inflate past this (decompression bombs).
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024
# python-docx parses the XML parts in memory (about 4 bytes of RAM and 0.15 us per byte):
# a text within MAX_TEXT_CHARS never needs more markup than this.
MAX_DOCX_XML = 8 * MAX_TEXT_CHARS


@dataclass(frozen=True)
class SourceFile:
    """A file found in the sources folder, before its text is read."""

    id: str
    path: Path
    digest: str
    meta: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadedSource:
    """A source's extracted text and metadata."""

    id: str
    text: str
    title: str
    kind: str
    meta: dict[str, str]


def sidecar_path(path: Path) -> Path:
    """The metadata sidecar that belongs to `path`."""
    return path.with_name(path.name + SIDECAR)


def scan(root: Path) -> list[SourceFile]:
    """List the source files under `root`, with content digests (file and sidecar)."""
    if not root.is_dir():
        return []
    found: list[SourceFile] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if path.name.endswith(SIDECAR) or rel.as_posix() in IGNORED_NAMES:
            continue
        if path.suffix.lower() not in SUFFIXES:
            continue
        found.append(_describe(root, path))
    return found


def _describe(root: Path, path: Path) -> SourceFile:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    meta: dict[str, str] = {}
    side = sidecar_path(path)
    if side.is_file():
        raw = side.read_bytes()
        digest.update(raw)
        meta = _read_sidecar(side, raw)
    return SourceFile(path.relative_to(root).as_posix(), path, digest.hexdigest(), meta)


def _read_sidecar(side: Path, raw: bytes) -> dict[str, str]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        logger.warning("ignoring unreadable metadata sidecar %s: %s", side, exc)
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if v is not None}


def write_sidecar(path: Path, meta: dict[str, str]) -> None:
    """Write the metadata sidecar for `path`."""
    side = sidecar_path(path)
    fresh = side.with_name(f".incoming-{side.name}")
    fresh.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", "utf-8")
    os.replace(fresh, side)  # never writes through a symlink planted at the sidecar's name


def load(source: SourceFile) -> LoadedSource:
    """Extract the text of a source file; raise SourceError naming the file and the reason."""
    size = source.path.stat().st_size
    if size == 0:
        raise SourceError(f"{source.id}: the file is empty")
    if size > MAX_FILE_BYTES:
        raise SourceError(f"{source.id}: {size} bytes is over the {MAX_FILE_BYTES}-byte limit")
    data = source.path.read_bytes()
    suffix = source.path.suffix.lower()
    try:
        if suffix == ".pdf":
            text = _pdf_text(data)
        elif suffix == ".docx":
            text = _docx_text(data)
        elif suffix in (".html", ".htm"):
            text = html_text(decode(data))
        else:
            text = decode(data)
    except SourceError as exc:
        raise SourceError(f"{source.id}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - a parser's failure is the file's fault, reported
        raise SourceError(f"{source.id}: cannot read as {suffix}: {exc}") from None
    text = normalize(text)
    if not text.strip():
        raise SourceError(f"{source.id}: no text could be extracted")
    if len(text) > MAX_TEXT_CHARS:
        raise SourceError(f"{source.id}: {len(text)} characters of text is over the limit")
    title = source.meta.get("title") or _guess_title(text, source.path)
    kind = source.meta.get("kind", "")
    return LoadedSource(source.id, text, title, kind, dict(source.meta))


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


def normalize(text: str) -> str:
    """Normalise line endings and strip characters that only confuse offsets."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return text.replace("\x00", "")


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


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _docx_text(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
            markup = sum(
                info.file_size
                for info in archive.infolist()
                if info.filename.endswith((".xml", ".rels"))
            )
    except zipfile.BadZipFile:
        raise SourceError("not a valid .docx (not a zip archive)") from None
    if inflated > MAX_DOCX_UNCOMPRESSED or markup > MAX_DOCX_XML:
        raise SourceError(
            f"the .docx would inflate to {max(inflated, markup)} bytes; refused as unsafe"
        )
    import docx

    document = docx.Document(io.BytesIO(data))
    return "\n\n".join(p.text for p in document.paragraphs if p.text.strip())


def _guess_title(text: str, path: Path) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()  # a Markdown heading's marks are no title
        if 3 <= len(line) <= 120:
            return line
    return path.stem

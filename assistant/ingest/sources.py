"""Source files: find them under `sources/`, read their metadata sidecars, extract their text.

A source's id is its path relative to `sources/`, with forward slashes. Its metadata lives in
an optional JSON sidecar next to it, `<file>.meta.json` (title, author, publisher, date, kind).
Which files are sources, and how each is read, is the loader registry's (`ingest.loaders`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import SourceError
from assistant.index.pages import PageMap, carry
from assistant.ingest import ocr, titles
from assistant.ingest.loaders import (
    MAX_FILE_BYTES,
    MAX_TEXT_CHARS,
    Format,
    accepted_suffixes,
    find_loader,
)
from assistant.ingest.sandbox import Extracted, ParseLimits

logger = logging.getLogger(__name__)

# The registered suffixes: a live view of the registry (never a copy that could disagree with
# it), kept for callers of the old constant; new code calls `loaders.accepted_suffixes()`.
SIDECAR = ".meta.json"
# Files in sources/ that describe the folder rather than being sources.
IGNORED_NAMES = frozenset({"README.md"})
# A file being checked before it takes its place in sources/ (`Assistant.add_source`, sidecars).
INCOMING_PREFIX = ".incoming-"
# An `.incoming-*` file older than this was left by a process that died while checking it: a
# live check is a copy and one parse, which the parser's limit stops after a minute by default
# (ASSISTANT_PARSE_TIMEOUT).
INCOMING_MAX_AGE = 10 * 60.0
# Above this share of control characters (tabs, line and page breaks aside) an extracted text is
# taken for binary data: prose has next to none, random bytes about a quarter.
MAX_CONTROL_SHARE = 0.1
_CONTROLS = re.compile("[\x01-\x08\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # in a str, any surrogate is a lone one


@dataclass(frozen=True)
class SourceFile:
    """A file found in the sources folder, before its text is read."""

    id: str
    path: Path
    digest: str
    meta: dict[str, str] = field(default_factory=dict)
    problem: str = ""  # why it cannot be indexed, found while scanning (`load` raises it)


@dataclass(frozen=True)
class LoadedSource:
    """A source's extracted text and metadata."""

    id: str
    text: str
    title: str
    kind: str
    meta: dict[str, str]
    pages: PageMap | None = None  # a PDF's pages, as offsets into `text`


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
        if find_loader(path) is None:  # not a registered format
            continue
        found.append(_describe(path, rel.as_posix()))
    return found


def _describe(path: Path, rel: str) -> SourceFile:
    """The file's id, digest and metadata; what goes wrong is kept as its `problem`."""
    source_id = printable_id(rel)
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        meta: dict[str, str] = {}
        side = sidecar_path(path)
        if side.is_file():
            raw = side.read_bytes()
            digest.update(raw)
            meta = _read_sidecar(side, raw)
    except OSError as exc:  # vanished, unreadable: this file's problem, not the folder's
        return SourceFile(source_id, path, "", {}, f"cannot be read ({exc.strerror or exc})")
    problem = ""
    if source_id != rel:
        fixed = os.fsencode(rel).decode("utf-8", "replace").replace("\ufffd", "_")
        problem = (
            "the file name is not valid UTF-8 (its bad bytes are shown as \\x..); rename the "
            f"file, for example to {fixed!r}, and index again"
        )
    return SourceFile(source_id, path, digest.hexdigest(), meta, problem)


def printable_id(rel: str) -> str:
    """`rel`, with the bytes of a name that is not valid UTF-8 escaped as \\xff."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(rel).decode("utf-8", "backslashreplace")
    return rel


def _read_sidecar(side: Path, raw: bytes) -> dict[str, str]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        logger.warning("ignoring unreadable metadata sidecar %s: %s", side, exc)
        return {}
    if not isinstance(data, dict):
        return {}
    cleaned = {clean_field(str(k)): clean_field(str(v)) for k, v in data.items() if v is not None}
    return {k: v for k, v in cleaned.items() if k}


def clean_field(value: str) -> str:
    """A metadata string fit to store and show: no lone surrogates, controls or line breaks."""
    value = _SURROGATE.sub("", _CONTROLS.sub("", value.replace("\x00", "")))
    return " ".join(value.split())


def write_sidecar(path: Path, meta: dict[str, str]) -> None:
    """Write the metadata sidecar for `path`, its strings cleaned as when they are read."""
    side = sidecar_path(path)
    fresh = side.with_name(f"{INCOMING_PREFIX}{side.name}")
    cleaned = {clean_field(k): clean_field(v) for k, v in meta.items()}
    fresh.write_text(json.dumps(cleaned, indent=2, ensure_ascii=False) + "\n", "utf-8")
    os.replace(fresh, side)  # never writes through a symlink planted at the sidecar's name


def sweep_incoming(root: Path, max_age: float = INCOMING_MAX_AGE) -> list[Path]:
    """Delete the `.incoming-*` files under `root` older than `max_age` seconds; return them.

    A process killed while it checked an added file leaves its copy behind; nothing else would
    ever remove it, and the user never sees it (scan skips dot files).
    """
    if not root.is_dir():
        return []
    swept: list[Path] = []
    cutoff = time.time() - max_age
    for path in root.rglob(f"{INCOMING_PREFIX}*"):
        try:
            if (path.is_symlink() or path.is_file()) and path.lstat().st_mtime < cutoff:
                path.unlink()
                swept.append(path)
        except OSError as exc:  # gone already, or not ours to delete: try again next time
            logger.debug("cannot remove %s: %s", path, exc)
    for path in swept:
        logger.warning("removed %s, left by an add that did not finish", path)
    return swept


def load(source: SourceFile, *, limits: ParseLimits | None = None) -> LoadedSource:
    """Extract the text of a source file; raise SourceError naming the file and the reason.

    `limits` bound the worker that reads pdf, docx and html (default: from the environment),
    and say whether a scanned PDF is given to `ocrmypdf` (ASSISTANT_OCR).
    """
    if source.problem:
        raise SourceError(f"{source.id}: {source.problem}")
    found = find_loader(source.path)
    if found is None:
        raise SourceError(
            f"{source.id}: {source.path.suffix or 'a file without a suffix'} is not a "
            f"document format the assistant reads; use {', '.join(accepted_suffixes())}"
        )
    try:
        size = source.path.stat().st_size
        if size == 0:
            raise SourceError(f"{source.id}: the file is empty")
        if size > MAX_FILE_BYTES:
            raise SourceError(f"{source.id}: {size} bytes is over the {MAX_FILE_BYTES}-byte limit")
        data = source.path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{source.id}: cannot be read ({exc.strerror or exc})") from None
    try:
        extracted = _extract(found, data, limits or ParseLimits.from_settings())
    except SourceError as exc:
        raise SourceError(f"{source.id}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - a parser's failure is the file's fault, reported
        raise SourceError(f"{source.id}: cannot read as {found.suffix}: {exc}") from None
    text = normalize(extracted.text)
    if not text.strip():
        raise SourceError(f"{source.id}: no text could be extracted")
    if len(text) > MAX_TEXT_CHARS:
        raise SourceError(f"{source.id}: {len(text)} characters of text is over the limit")
    share = len(_CONTROLS.findall(text)) / len(text)
    if share > MAX_CONTROL_SHARE:
        raise SourceError(
            f"{source.id}: looks like a binary file, not text: {share:.0%} of its characters "
            "are control characters"
        )
    title = titles.choose(
        text, source.path, sidecar=source.meta.get("title", ""), embedded=extracted.title
    )
    kind = source.meta.get("kind", "")
    pages = None
    if extracted.page_starts:
        pages = carry(PageMap(extracted.page_starts, extracted.page_labels), extracted.text, text)
    return LoadedSource(source.id, text, title, kind, dict(source.meta), pages)


def normalize(text: str) -> str:
    """Normalise line endings and strip characters that only confuse offsets.

    A lone surrogate (a broken PDF font map gives them) cannot be stored or encoded: it becomes
    U+FFFD, the replacement character.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return _SURROGATE.sub("\ufffd", text.replace("\x00", ""))


def _extract(found: Format, data: bytes, limits: ParseLimits) -> Extracted:
    """The loader's result; a scanned PDF is given to `ocrmypdf` first if the limits allow."""
    extracted = found.extract(data, limits=limits)
    if not extracted.scanned:
        return extracted
    if not limits.ocr:
        raise SourceError(ocr.scanned_message())
    logger.info("no text layer: running %s (up to %g s)", ocr.PROGRAM, limits.ocr_timeout)
    read = found.extract(ocr.add_text_layer(data, timeout=limits.ocr_timeout), limits=limits)
    if read.scanned:
        raise SourceError(
            f"{ocr.PROGRAM} found no text on the scanned pages (are they pictures of text?); "
            "check the scan, or add a text version of the document"
        )
    return Extracted(
        read.text,
        title=read.title or extracted.title,
        page_starts=read.page_starts,
        page_labels=read.page_labels or extracted.page_labels,
    )

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
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import SourceError
from assistant.ingest.loaders import (
    MAX_FILE_BYTES,
    MAX_TEXT_CHARS,
    accepted_suffixes,
    find_loader,
)

logger = logging.getLogger(__name__)

# The registered suffixes: a live view of the registry (never a copy that could disagree with
# it), kept for callers of the old constant; new code calls `loaders.accepted_suffixes()`.
SIDECAR = ".meta.json"
# Files in sources/ that describe the folder rather than being sources.
IGNORED_NAMES = frozenset({"README.md"})


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
        if find_loader(path) is None:  # not a registered format
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
    found = find_loader(source.path)
    if found is None:
        raise SourceError(
            f"{source.id}: {source.path.suffix or 'a file without a suffix'} is not a "
            f"document format the assistant reads; use {', '.join(accepted_suffixes())}"
        )
    size = source.path.stat().st_size
    if size == 0:
        raise SourceError(f"{source.id}: the file is empty")
    if size > MAX_FILE_BYTES:
        raise SourceError(f"{source.id}: {size} bytes is over the {MAX_FILE_BYTES}-byte limit")
    data = source.path.read_bytes()
    try:
        text = found.read(data)
    except SourceError as exc:
        raise SourceError(f"{source.id}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - a parser's failure is the file's fault, reported
        raise SourceError(f"{source.id}: cannot read as {found.suffix}: {exc}") from None
    text = normalize(text)
    if not text.strip():
        raise SourceError(f"{source.id}: no text could be extracted")
    if len(text) > MAX_TEXT_CHARS:
        raise SourceError(f"{source.id}: {len(text)} characters of text is over the limit")
    title = source.meta.get("title") or _guess_title(text, source.path)
    kind = source.meta.get("kind", "")
    return LoadedSource(source.id, text, title, kind, dict(source.meta))


def normalize(text: str) -> str:
    """Normalise line endings and strip characters that only confuse offsets."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return text.replace("\x00", "")


def _guess_title(text: str, path: Path) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()  # a Markdown heading's marks are no title
        if 3 <= len(line) <= 120:
            return line
    return path.stem

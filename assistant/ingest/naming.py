"""Naming files that are added to the sources folder (uploads, `assistant add`).

A name given by a user or a browser becomes a safe name inside the folder: no path tricks or
odd characters, an accepted format, never a name that would be ignored, never an existing
source (an upload never replaces another).
"""

from __future__ import annotations

from pathlib import Path

from assistant.errors import SourceError
from assistant.ingest import loaders
from assistant.ingest import sources as source_files


def safe_target(folder: Path, name: str) -> Path:
    """A path inside `folder` for a file called `name`, with no path tricks or odd characters."""
    base = Path(name.replace("\\", "/")).name
    cleaned = "".join(c if c.isalnum() or c in "._- " else "_" for c in base).strip(" .")
    stem, dot, suffix = cleaned.rpartition(".")
    if not dot:
        stem, suffix = cleaned, ""
    suffix = suffix.lower()
    accepted = loaders.accepted_suffixes()
    if f".{suffix}" not in accepted:
        raise SourceError(f"{name!r}: only {', '.join(accepted)} files can be added")
    # 100 bytes, not characters: file systems limit a name to 255 bytes.
    stem = (stem or "source").encode("utf-8")[:100].decode("utf-8", "ignore").rstrip(" .")
    if f"{stem}.{suffix}" in source_files.IGNORED_NAMES:  # README.md would never be indexed
        stem += "_"
    return folder / f"{stem or 'source'}.{suffix}"


def unused_name(target: Path) -> Path:
    """`target`, or the first free `stem-2.suffix`, `stem-3.suffix` ... beside it."""
    candidate, n = target, 1
    while (
        candidate.exists()
        or candidate.is_symlink()
        or source_files.sidecar_path(candidate).exists()
    ):
        n += 1
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
    return candidate

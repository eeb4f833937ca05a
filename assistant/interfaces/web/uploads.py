"""Gradio's temporary upload files: removed once processed, and swept when abandoned (no gradio).

Gradio writes every upload into its upload folder (GRADIO_TEMP_DIR) before any event handles it,
and never removes it. `assistant serve` points that folder at `private_folder(port)`, emptied
at start and removed at a normal stop; the upload handler discards the files it has indexed,
Gradio's leaked empty files (`discard_leaks`), and the files nobody has processed for
`ABANDONED_AFTER_S` (an upload posted without its event).
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

logger = logging.getLogger(__name__)

# An upload that no event has processed in this time was abandoned. Generous, so that an upload
# still waiting for its turn (indexing runs one at a time) is never swept.
ABANDONED_AFTER_S = 600.0


def private_folder(port: int) -> Path:
    """An empty folder of this user for the uploads of the server on `port`, made now.

    <tmp>/assistant-uploads-<port>: one server listens on a port at a time, so what is found
    there was left by an earlier one that could not clean up (killed), and is removed. A path
    there that is not this user's folder (a link, another user's) is left alone for a new one.
    """
    folder = Path(tempfile.gettempdir()) / f"assistant-uploads-{port}"
    try:
        info = folder.lstat()
        uid = getattr(os, "getuid", None)  # Windows has none: TEMP is the user's own there
        if stat.S_ISDIR(info.st_mode) and (uid is None or info.st_uid == uid()):
            shutil.rmtree(folder)
        folder.mkdir(mode=0o700)
    except FileNotFoundError:
        folder.mkdir(mode=0o700)
    except OSError as exc:  # not ours, or made meanwhile
        logger.info("not using %s for uploads (%s); using a new folder", folder, exc)
        return Path(tempfile.mkdtemp(prefix=f"assistant-uploads-{port}-"))
    return folder


def discard_leaks(root: Path, *, made_before: float) -> None:
    """Remove the empty `tmp*` files at the top of `root` made before `made_before` (a time).

    Gradio's File component (6.31, `_process_single_file`) leaves one such file in its cache for
    every upload it hands to an event. Uploads in flight are named files inside a folder, or
    top-level files that are not empty a moment after they are made, so they are not touched.
    """
    for path in root.glob("tmp*"):
        try:
            info = path.lstat()
        except OSError:  # gone meanwhile
            continue
        if stat.S_ISREG(info.st_mode) and info.st_size == 0 and info.st_mtime < made_before:
            path.unlink(missing_ok=True)


def discard(paths: Iterable[Path], *, root: Path) -> None:
    """Remove each of `paths` that lies inside `root`, and the folders it leaves empty there."""
    top = root.resolve()
    for path in paths:
        try:
            target = path.resolve()
        except OSError:
            continue
        if top not in target.parents:
            continue  # never outside the upload folder
        target.unlink(missing_ok=True)
        _prune(target.parent, top)


def sweep(root: Path, *, older_than: float = ABANDONED_AFTER_S, now: float | None = None) -> int:
    """Remove files in `root` not modified for `older_than` seconds, and emptied folders.

    Returns how many files were removed.
    """
    if not root.is_dir():
        return 0
    limit = (time.time() if now is None else now) - older_than
    top, removed = root.resolve(), 0
    for path in sorted(top.rglob("*"), reverse=True):  # children before their folders
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
                _prune(path.parent, top)
        except OSError as exc:  # removed meanwhile, or not ours to remove
            logger.debug("could not sweep %s: %s", path, exc)
    return removed


def _prune(folder: Path, top: Path) -> None:
    """Remove `folder` and its parents up to (not including) `top` while they are empty."""
    while folder != top and top in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty, or gone
            return
        folder = folder.parent

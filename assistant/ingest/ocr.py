"""OCR for scanned PDFs: what to tell the user, and running `ocrmypdf` when a setting allows it.

A scanned PDF is pictures of pages: no text layer, so nothing to index or quote. `ocrmypdf`
(the Debian and PyPI package of that name, with Tesseract) adds a text layer. With
ASSISTANT_OCR=1 and `ocrmypdf` on PATH, `add_text_layer` runs it in its own process under a
timeout (ASSISTANT_OCR_TIMEOUT); otherwise the file is refused with the command to run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from assistant.errors import SourceError

PROGRAM = "ocrmypdf"


def scanned_message(*, ocr_enabled: bool = False) -> str:
    """Why a scanned PDF cannot be read, and the next step."""
    advice = f"run `{PROGRAM} in.pdf out.pdf` (Debian package {PROGRAM}) and add out.pdf instead"
    if ocr_enabled:
        return (
            f"looks like a scanned PDF with no text layer, and ASSISTANT_OCR is on but `{PROGRAM}` "
            f"is not on PATH: install it (apt-get install {PROGRAM}), or {advice}"
        )
    return (
        f"looks like a scanned PDF with no text layer (OCR would read it): {advice}, or set "
        f"ASSISTANT_OCR=1 to run {PROGRAM} when it is added"
    )


def available() -> bool:
    """Whether `ocrmypdf` is on PATH."""
    return shutil.which(PROGRAM) is not None


def add_text_layer(data: bytes, *, timeout: float) -> bytes:
    """The PDF `data` with a text layer added by `ocrmypdf`; SourceError if that fails."""
    program = shutil.which(PROGRAM)
    if program is None:
        raise SourceError(scanned_message(ocr_enabled=True))
    # Settings (an API key, a password) stay out of a process that reads the file.
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    with tempfile.TemporaryDirectory(prefix="assistant-ocr-") as folder:
        given, made = Path(folder) / "in.pdf", Path(folder) / "out.pdf"
        given.write_bytes(data)
        try:
            done = subprocess.run(
                [program, "--skip-text", "--quiet", str(given), str(made)],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise SourceError(
                f"{PROGRAM} took more than {timeout:g} s to read the scanned pages; raise "
                f"ASSISTANT_OCR_TIMEOUT, or run `{PROGRAM} in.pdf out.pdf` yourself and add out.pdf"
            ) from None
        if done.returncode != 0 or not made.is_file():
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise SourceError(
                f"{PROGRAM} could not read the scanned pages (exit status {done.returncode}"
                f"{': ' + said[-1] if said else ''}); run `{PROGRAM} in.pdf out.pdf` yourself "
                "to see why"
            )
        return made.read_bytes()

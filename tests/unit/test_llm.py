"""The LLM answerer without a server: the ASSISTANT_LLM settings, a refused connection, and any
LangChain chat model. Answers through the real OpenAI and Ollama clients, against a scripted
local server, are in tests/integration/test_llm_server.py.
"""

from __future__ import annotations

import socket

import pytest
from helpers.retrievals import QUESTION, standard
from langchain_core.language_models import FakeListChatModel
from langchain_openai import ChatOpenAI

from assistant.answering.extractive import ExtractiveAnswerer
from assistant.answering.llm import LLMAnswerer, build_chat_model, build_llm_answerer, parse_llm
from assistant.config import Settings
from assistant.errors import ConfigError

# -- settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "provider", "model"),
    [
        ("extractive", "extractive", ""),
        ("openai:gpt-4o-mini", "openai", "gpt-4o-mini"),
        ("ollama:llama3.1:8b", "ollama", "llama3.1:8b"),
        (" Ollama:qwen2.5 ", "ollama", "qwen2.5"),
    ],
)
def test_parse_llm_accepts_the_documented_forms(value: str, provider: str, model: str) -> None:
    spec = parse_llm(value)
    assert (spec.provider, spec.model) == (provider, model)


@pytest.mark.parametrize("value", ["gpt-4o", "openai:", "anthropic:claude", "ollama", ""])
def test_parse_llm_rejects_other_values_naming_the_setting(value: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_llm(value)
    message = str(info.value)
    assert "ASSISTANT_LLM" in message
    assert "ollama:<model>" in message and "openai:<model>" in message


def test_chat_model_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="ASSISTANT_LLM_API_KEY"):
        build_chat_model(Settings(llm="openai:gpt-4o-mini", llm_base_url=None, llm_api_key=None))
    with pytest.raises(ConfigError, match="ASSISTANT_LLM_BASE_URL"):
        build_chat_model(Settings(llm="ollama:llama3.1", llm_base_url="localhost:11434"))
    with pytest.raises(ConfigError, match="names no language model"):
        build_chat_model(Settings(llm="extractive"))
    model = build_chat_model(
        Settings(
            llm="openai:gpt-4o-mini", llm_base_url=None, llm_api_key="sk-test", llm_timeout=3.0
        )
    )
    assert isinstance(model, ChatOpenAI)
    assert model.max_retries == 0 and model.request_timeout == 3.0


# -- without a server -----------------------------------------------------------------------


@pytest.mark.parametrize(("provider", "path"), [("openai", "/v1"), ("ollama", "")])
def test_a_refused_connection_falls_back(provider: str, path: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(llm=f"{provider}:test-model", llm_base_url=f"http://127.0.0.1:{port}{path}")
    answer = build_llm_answerer(settings, fallback=ExtractiveAnswerer()).answer(
        QUESTION, standard()
    )
    assert answer.citations and answer.notice and "(could not connect)" in answer.notice


def test_any_langchain_chat_model_can_answer() -> None:
    model = FakeListChatModel(
        responses=[
            "<think>Passage 3 [3] is off topic.</think>Open consultations &amp; all "
            "stakeholders [Passage 1, 2]."
        ]
    )
    answer = LLMAnswerer(model, fallback=ExtractiveAnswerer()).answer(QUESTION, standard())
    assert answer.text == "Open consultations & all stakeholders [1][2]."
    assert [c.source for c in answer.citations] == ["impressions.txt", "final-acts.txt"]

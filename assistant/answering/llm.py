"""The LLM answerer: fluent answers from a chat model, held to the same citation promise.

The reply (see `assistant.prompts`) is checked as data before anyone sees it: a marker naming no
retrieved passage, or a passage sharing no content word with its sentence, is removed; a sentence
left without a valid marker is dropped (the notice says how many); markers are renumbered 1..m
by first appearance; each citation quotes, verbatim via `citations.cite`, the chunk sentence
that best overlaps the answer sentence citing it (stemmed words, no model call; several citing
sentences get the run of their picks, up to MAX_QUOTE_SENTENCES). NOT_IN_SOURCES, or weak
retrieval before any call, abstains. A failed call (refused, timeout, HTTP error) or an unusable
reply (empty, no valid citation) falls back to the extractive answer with a notice, never raises.

`stream` yields each sentence once the next has begun, already validated and renumbered, so the
pieces join into the final Answer's text; the final Answer is the authority (after a mid-stream
failure its text replaces what was streamed).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable
from pydantic import SecretStr

from assistant.answering.abstention import ABSTAIN_BELOW, abstain, confident
from assistant.answering.answerer import Answerer
from assistant.answering.citations import MARKER, cite, markers_in
from assistant.answering.prompts import (
    ANSWER_PROMPT,
    NOT_IN_SOURCES,
    clean_reply,
    complete_part,
    is_refusal,
    prompt_inputs,
    split_reply,
)
from assistant.answering.ranking import rank
from assistant.answering.retrieve import Retrieval
from assistant.answering.turn import read_turn
from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.index.text import stem, terms
from assistant.schema import Answer, Chunk, Citation, Sentence

logger = logging.getLogger(__name__)

PROVIDERS = ("ollama", "openai")
LLM_FORMS = "`extractive`, `ollama:<model>` (e.g. ollama:llama3.1) or `openai:<model>`"
MAX_QUOTE_SENTENCES = 3  # one citation quotes at most this many consecutive sentences
NO_API_KEY = "not-needed"  # local OpenAI-compatible servers ignore the key, the client needs one


@dataclass(frozen=True)
class LLMSpec:
    """A parsed `ASSISTANT_LLM` value."""

    provider: str  # "extractive", "ollama" or "openai"
    model: str


def parse_llm(value: str) -> LLMSpec:
    """Parse `ASSISTANT_LLM`; a bad value raises ConfigError naming the accepted forms."""
    text = value.strip()
    if text.lower() == "extractive":
        return LLMSpec("extractive", "")
    provider, colon, model = text.partition(":")
    if not colon or provider.lower() not in PROVIDERS or not model.strip():
        raise ConfigError(f"ASSISTANT_LLM={value!r} is not valid; use {LLM_FORMS}")
    return LLMSpec(provider.lower(), model.strip())


def build_chat_model(settings: Settings) -> BaseChatModel:
    """The LangChain chat model named by the `llm` settings, without retries."""
    spec = parse_llm(settings.llm)
    base_url = settings.llm_base_url
    if base_url is not None and not re.match(r"https?://\S+$", base_url):
        raise ConfigError(
            f"ASSISTANT_LLM_BASE_URL={base_url!r} is not an http(s) URL; "
            "use e.g. http://127.0.0.1:11434 or http://127.0.0.1:8000/v1"
        )
    if spec.provider == "openai":
        from langchain_openai import ChatOpenAI

        if not settings.llm_api_key and not base_url:
            raise ConfigError(
                f"ASSISTANT_LLM={settings.llm!r} needs ASSISTANT_LLM_API_KEY (a "
                "hosted API) or ASSISTANT_LLM_BASE_URL (a local server)"
            )
        return ChatOpenAI(
            model=spec.model,
            base_url=base_url,
            api_key=SecretStr(settings.llm_api_key or NO_API_KEY),
            timeout=settings.llm_timeout,
            max_retries=0,
            temperature=settings.llm_temperature,
        )
    if spec.provider == "ollama":
        from langchain_ollama import ChatOllama

        return ChatOllama(
            model=spec.model,
            base_url=base_url,
            temperature=settings.llm_temperature,
            client_kwargs={"timeout": settings.llm_timeout},
        )
    raise ConfigError(f"ASSISTANT_LLM={settings.llm!r} names no language model; use {LLM_FORMS}")


def build_llm_answerer(settings: Settings, *, fallback: Answerer) -> LLMAnswerer:
    """An LLMAnswerer over the chat model named by `settings`, falling back on `fallback`."""
    return LLMAnswerer(
        build_chat_model(settings), fallback=fallback, abstain_below=settings.abstain_below
    )


@dataclass(frozen=True)
class _Citable:
    """A retrieved passage the answer may cite: its chunk and the words in it."""

    chunk: Chunk
    title: str
    words: frozenset[str]
    sentences: tuple[tuple[Sentence, frozenset[str]], ...]  # only sentences `cite` accepts


@dataclass(frozen=True)
class Draft:
    """A model reply after validation: text with renumbered markers, and its citations."""

    text: str
    citations: list[Citation]
    dropped: int  # sentences left out for want of a valid citation


class LLMAnswerer:
    """Answers through any LangChain chat model; every sentence cites a retrieved passage."""

    def __init__(
        self,
        chat_model: BaseChatModel,
        *,
        fallback: Answerer,
        abstain_below: float = ABSTAIN_BELOW,
    ) -> None:
        self._chain: Runnable[dict[str, str], str] = ANSWER_PROMPT | chat_model | StrOutputParser()
        self._fallback = fallback
        self._abstain_below = abstain_below

    def answer(self, question: str, retrieval: Retrieval) -> Answer:
        """Ask the model, validate its citations; abstain or fall back when it cannot answer."""
        if self._weak(question, retrieval):
            return abstain(retrieval)
        try:
            reply = self._chain.invoke(prompt_inputs(question, retrieval.passages))
        except Exception as exc:  # noqa: BLE001 - any client failure: the extractive answer
            return self._fall_back(question, retrieval, _reason(exc), exc)
        return self._finish(question, retrieval, reply)

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        """Validated text, one complete sentence at a time, then the final Answer."""
        if self._weak(question, retrieval):
            final = abstain(retrieval)
            yield final.text
            yield final
            return
        citable = _citable(retrieval)
        pieces = self._chain.stream(prompt_inputs(question, retrieval.passages))
        reply, emitted, seen = "", "", -1
        failure: Exception | None = None
        try:
            while True:
                try:
                    reply += next(pieces)
                except StopIteration:
                    break
                except Exception as exc:  # noqa: BLE001 - any client failure, as in `answer`
                    failure = exc
                    break
                complete = complete_part(clean_reply(reply))
                if len(complete) == seen:
                    continue
                seen = len(complete)
                text = render(complete, citable).text
                if text.startswith(emitted) and len(text) > len(emitted):
                    yield text[len(emitted) :]
                    emitted = text
        finally:
            close = getattr(pieces, "close", None)
            if close is not None:
                close()
        if failure is not None:
            final = self._fall_back(question, retrieval, _reason(failure), failure)
        else:
            final = self._finish(question, retrieval, reply)
        if final.text.startswith(emitted) and len(final.text) > len(emitted):
            yield final.text[len(emitted) :]
        yield final

    def _weak(self, question: str, retrieval: Retrieval) -> bool:
        """True when the extractive ranking says the passages cannot answer: skip the call."""
        ranked = rank(retrieval.turn or read_turn(question), retrieval)
        return not confident(ranked[0] if ranked else None, retrieval, self._abstain_below)

    def _finish(self, question: str, retrieval: Retrieval, reply: str) -> Answer:
        cleaned = clean_reply(reply)
        draft = render(cleaned, _citable(retrieval))
        if is_refusal(cleaned, cited=bool(draft.citations)):
            return abstain(retrieval)
        if not draft.citations:
            reason = "its reply was empty" if not cleaned.strip() else "its reply cited no passage"
            return self._fall_back(question, retrieval, reason, None)
        notice = None
        if draft.dropped:
            notice = (
                f"{draft.dropped} sentence{'s' if draft.dropped > 1 else ''} of the "
                "model's answer had no valid citation and "
                f"{'were' if draft.dropped > 1 else 'was'} left out."
            )
        return Answer(draft.text, draft.citations, False, retrieval.passages, notice)

    def _fall_back(
        self, question: str, retrieval: Retrieval, reason: str, exc: Exception | None
    ) -> Answer:
        logger.warning(
            "language model failed (%s%s); answering extractively",
            reason,
            f": {exc!r}" if exc is not None else "",
        )
        answer = self._fallback.answer(question, retrieval)
        notice = (
            f"The language model was unavailable ({reason}); this answer was extracted "
            "from the sources."
        )
        if answer.notice:
            notice = f"{notice} {answer.notice}"
        return Answer(answer.text, answer.citations, answer.abstained, answer.passages, notice)


def render(reply: str, citable: dict[int, _Citable]) -> Draft:
    """Validate a cleaned reply: keep cited sentences, renumber markers, quote the sources."""
    kept: list[tuple[int, str, list[int], frozenset[str]]] = []  # newlines before, text, ...
    dropped = newlines = 0
    for separator, sentence in split_reply(reply):
        newlines = max(newlines, separator.count("\n"))  # a dropped sentence keeps its break
        words = _stems(MARKER.sub(" ", sentence))
        valid = [
            n
            for n in dict.fromkeys(markers_in(sentence))
            if n in citable and words & citable[n].words
        ]
        if not valid:
            if words and NOT_IN_SOURCES.lower() not in sentence.lower():
                dropped += 1
            continue
        kept.append((newlines, sentence, valid, words))
        newlines = 0
    numbers: dict[int, int] = {}
    for _, _, valid, _ in kept:
        for n in valid:
            numbers.setdefault(n, len(numbers) + 1)
    parts: list[str] = []
    for i, (breaks, sentence, valid, _) in enumerate(kept):
        if i:
            parts.append("\n" * min(2, breaks) or " ")
        parts.append(_renumber(sentence, valid, numbers))
    citations: list[Citation] = []
    for n, marker in numbers.items():
        source = citable[n]
        picks = [_best_support(source, words) for _, _, valid, words in kept if n in valid]
        first, last = min(picks), max(picks)
        if last - first >= MAX_QUOTE_SENTENCES:
            first = last = picks[0]
        citation = cite(marker, source.chunk, _span(source, first, last), source.title)
        assert citation is not None  # `_citable` kept only sentences that cite
        citations.append(citation)
    return Draft("".join(parts), citations, dropped)


def _best_support(source: _Citable, words: frozenset[str]) -> int:
    """The index of the passage sentence sharing most words with an answer sentence."""

    def overlap(i: int) -> tuple[int, float]:
        shared = len(source.sentences[i][1] & words)
        return shared, shared / max(1, len(source.sentences[i][1]))

    return max(range(len(source.sentences)), key=overlap)


def _span(source: _Citable, first: int, last: int) -> Sentence:
    """Passage sentences first..last as one sentence (one quote for several answer sentences)."""
    head, tail = source.sentences[first][0], source.sentences[last][0]
    if first == last:
        return head
    at = source.chunk.start
    return Sentence(
        f"{head.id}-{tail.id}",
        source.chunk.text[head.start - at : tail.end - at],
        head.start,
        tail.end,
    )


def _renumber(sentence: str, valid: list[int], numbers: dict[int, int]) -> str:
    seen: set[int] = set()

    def marker(match: re.Match[str]) -> str:
        n = int(match.group(1))
        if n not in valid or n in seen:
            return ""
        seen.add(n)
        return f"{match.group(0).partition('[')[0]}[{numbers[n]}]"

    return MARKER.sub(marker, sentence)


def _citable(retrieval: Retrieval) -> dict[int, _Citable]:
    """Passages by their number in the prompt, when their chunk can give a verified quote."""
    found: dict[int, _Citable] = {}
    for n, passage in enumerate(retrieval.passages, start=1):
        chunk = retrieval.chunks.get(passage.chunk_id)
        if chunk is None:
            continue
        sentences = tuple(
            (s, _stems(s.text))
            for s in chunk.sentences
            if cite(n, chunk, s, passage.title) is not None
        )
        if sentences:
            words = _stems(f"{chunk.text} {chunk.locator}")  # not the title: too general
            found[n] = _Citable(chunk, passage.title, words, sentences)
    return found


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in terms(text))


def _reason(exc: Exception) -> str:
    """A few words on why the model call failed, for the notice."""
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return f"HTTP {status}"
    name = type(exc).__name__
    if isinstance(exc, TimeoutError) or "Timeout" in name:
        return "timed out"
    if isinstance(exc, ConnectionError) or "Connect" in name:
        return "could not connect"
    return name

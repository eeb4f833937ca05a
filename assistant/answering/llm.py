"""The LLM answerer: fluent answers from a chat model, held to the same citation promise.

The reply (see `assistant.answering.prompts`) is checked as data before anyone sees it
(`assistant.answering.grounding`): only sentences their cited passage supports stay, with
renumbered markers and verbatim quotes; the passages kept must meet the question's constraints
(an answer citing only passages that never name "CWG-Internet" answers something else), and a
question that wants a value ("how many") must get one. NOT_IN_SOURCES, or weak retrieval
before any call, abstains. The whole reply is read under one deadline (`llm_timeout`) and cut
at MAX_REPLY_CHARS. A failed call (refused, timeout, HTTP error) or an unusable reply (empty,
no supported sentence) falls back to the extractive answer with a notice, never raises.

`stream` yields each sentence once the next has begun, already validated and renumbered, so the
pieces join into the final Answer's text; the final Answer is the authority (after a mid-stream
failure its text replaces what was streamed).
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable
from pydantic import SecretStr

from assistant.answering.abstention import ABSTAIN_BELOW, abstain, answer_probability, answers
from assistant.answering.answerer import Answerer
from assistant.answering.citations import MARKER, markers_in
from assistant.answering.grounding import Citable, Draft, citable_passages, render
from assistant.answering.prompts import (
    ANSWER_PROMPT,
    clean_reply,
    complete_part,
    is_refusal,
    prompt_inputs,
)
from assistant.answering.question import Analysis, Constraint
from assistant.answering.ranking import rank
from assistant.answering.retrieve import Retrieval
from assistant.answering.turn import read_turn
from assistant.answering.verification import has_type, unmet
from assistant.config import Settings
from assistant.errors import ConfigError
from assistant.schema import Answer

logger = logging.getLogger(__name__)

PROVIDERS = ("ollama", "openai")
LLM_FORMS = "`extractive`, `ollama:<model>` (e.g. ollama:llama3.1) or `openai:<model>`"
MAX_REPLY_CHARS = 8000  # five sentences are asked for; a longer reply is cut here
_ENDS_SENTENCE = re.compile(r"[.!?…\n]")
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
        build_chat_model(settings),
        fallback=fallback,
        abstain_below=settings.abstain_below,
        deadline=settings.llm_timeout,
    )


class LLMAnswerer:
    """Answers through any LangChain chat model; every sentence cites a retrieved passage."""

    def __init__(
        self,
        chat_model: BaseChatModel,
        *,
        fallback: Answerer,
        abstain_below: float = ABSTAIN_BELOW,
        deadline: float = 30.0,
    ) -> None:
        self._chain: Runnable[dict[str, str], str] = ANSWER_PROMPT | chat_model | StrOutputParser()
        self._fallback = fallback
        self._abstain_below = abstain_below
        self._deadline = deadline  # seconds for the whole reply, however it trickles in

    def answer(self, question: str, retrieval: Retrieval) -> Answer:
        """Ask the model, validate its citations; abstain or fall back when it cannot answer."""
        final: Answer | None = None
        for part in self.stream(question, retrieval):
            if isinstance(part, Answer):
                final = part
        assert final is not None
        return final

    def stream(self, question: str, retrieval: Retrieval) -> Iterator[str | Answer]:
        """Validated text, one complete sentence at a time, then the final Answer.

        The reply is read under one deadline for the whole call and cut at MAX_REPLY_CHARS.
        """
        if self._weak(question, retrieval):
            final = abstain(retrieval)
            yield final.text
            yield final
            return
        analysis = (retrieval.turn or read_turn(question)).analysis
        citable = citable_passages(retrieval)
        deadline = time.monotonic() + self._deadline
        reply, emitted, seen = "", "", -1
        memo: dict[str, list[int]] = {}  # sentence -> its supported markers, across renders
        failure: Exception | None = None
        stop = threading.Event()
        inputs = prompt_inputs(question, retrieval.passages)
        try:
            for piece in _until(deadline, lambda: self._chain.stream(inputs), stop):
                reply += piece
                if len(reply) >= MAX_REPLY_CHARS:
                    break
                if not _ENDS_SENTENCE.search(piece):
                    continue  # no sentence can have been completed by this piece
                complete = complete_part(clean_reply(reply))
                if len(complete) == seen:
                    continue
                seen = len(complete)
                draft = render(complete, citable, memo)
                if _unmet(draft, citable, analysis) or not _has_value(draft, analysis):
                    continue  # shown once the answer meets the question, so never taken back
                text = draft.text
                if text.startswith(emitted) and len(text) > len(emitted):
                    yield text[len(emitted) :]
                    emitted = text
        except TimeoutError:
            failure = TimeoutError(f"no complete reply within {self._deadline:g} s")
        except Exception as exc:  # noqa: BLE001 - any client failure: the extractive answer
            failure = exc
        finally:
            stop.set()  # the reader thread stops at its next piece and closes the reply
        if failure is not None:
            final = self._fall_back(question, retrieval, _reason(failure), failure)
        else:
            final = self._finish(retrieval, reply[:MAX_REPLY_CHARS], analysis)
        if final.text.startswith(emitted) and len(final.text) > len(emitted):
            yield final.text[len(emitted) :]
        yield final

    def _weak(self, question: str, retrieval: Retrieval) -> bool:
        """True when the extractive ranking says the passages cannot answer: skip the call."""
        # The model may phrase an answer no single sentence gives: all sentences are weighed.
        turn = retrieval.turn or read_turn(question)
        ranked = rank(turn, retrieval)
        return not answers(answer_probability(turn, retrieval, ranked, ranked), self._abstain_below)

    def _finish(self, retrieval: Retrieval, reply: str, analysis: Analysis) -> Answer:
        cleaned = clean_reply(reply)
        citable = citable_passages(retrieval)
        draft = render(cleaned, citable)
        if is_refusal(cleaned, cited=bool(draft.citations)):
            return abstain(retrieval)
        if not draft.citations:
            if not cleaned.strip():
                reason = "its reply was empty"
            elif not markers_in(cleaned):
                reason = "its reply cited no passage"
            else:
                reason = "no sentence of its reply was supported by the passage it cited"
            return self._fall_back(analysis.question, retrieval, reason, None)
        if missed := _unmet(draft, citable, analysis):
            named = ", ".join(f"“{c.text}”" for c in missed)
            reason = f"the passages its reply cited do not mention {named}"
            return self._fall_back(analysis.question, retrieval, reason, None)
        if not _has_value(draft, analysis):
            return abstain(retrieval)
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


def _unmet(draft: Draft, citable: dict[int, Citable], analysis: Analysis) -> list[Constraint]:
    """The question's constraints that no passage the draft cites meets.

    The question is about "CWG-Internet": an answer whose passages never name it answers
    something else (a planted instruction, say).
    """
    return unmet(analysis, "\n".join(citable[n].context for n in draft.cited))


def _has_value(draft: Draft, analysis: Analysis) -> bool:
    """False when the question wants a value ("how many") and the draft gives none."""
    said = MARKER.sub(" ", draft.text)
    return not analysis.wants_value or has_type(analysis.answer_type, said, analysis)


def _until(
    deadline: float, start: Callable[[], Iterator[str]], stop: threading.Event
) -> Iterator[str]:
    """The pieces of `start()` as they come, until `deadline` (monotonic); then TimeoutError.

    They are read in a daemon thread, so a server that trickles its reply, or stalls between
    pieces, cannot hold the caller past the deadline. Once `stop` is set the thread stops at
    its next piece and closes the reply.
    """
    box: queue.Queue[tuple[str, str | BaseException | None]] = queue.Queue()

    def read() -> None:
        pieces = start()
        try:
            for piece in pieces:
                if stop.is_set():
                    break
                box.put(("piece", piece))
            box.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            box.put(("error", exc))
        finally:
            close = getattr(pieces, "close", None)
            if close is not None:
                close()

    threading.Thread(target=read, name="llm-reply", daemon=True).start()
    while True:
        try:
            kind, value = box.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError from None
        if kind == "end":
            return
        if isinstance(value, BaseException):
            raise value
        assert isinstance(value, str)
        yield value


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

"""`AssistantRetriever` in an LCEL chain with a fake chat model: the documents are the
assistant's passages (metadata with every field), the prompt the model gets holds them, and
the filters hold."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import docs_assistant
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompt_values import PromptValue
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda, RunnablePassthrough

from assistant import Assistant, AssistantError, Passage
from assistant.langchain import AssistantRetriever

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs"
NOTES = "lighthouse-notes.md"
QUERY = "Was the fund for the lighthouse keepers approved?"


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    assistant = docs_assistant(tmp_path_factory.mktemp("lc"))
    yield assistant
    assistant.close()


def cited(docs: list[Document]) -> str:
    return "\n".join(
        f"[{i}] ({d.metadata['locator']}) {d.page_content}" for i, d in enumerate(docs, 1)
    )


def test_documents_are_the_assistants_passages(shared: Assistant) -> None:
    retriever = AssistantRetriever(assistant=shared, k=3)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke(QUERY)
    passages = shared.retrieve(QUERY, k=3)
    assert [d.page_content for d in docs] == [p.text for p in passages]
    for doc, passage in zip(docs, passages, strict=True):
        # Every field that is set (a text source has no page) is in the metadata.
        fields = {
            f.name for f in dataclasses.fields(Passage) if getattr(passage, f.name) is not None
        } - {"text"}
        assert fields <= set(doc.metadata)
        assert {"source", "title", "locator", "kind", "start", "end"} <= set(doc.metadata)
        text = shared.source_text(doc.metadata["source"])
        assert text is not None
        assert text[doc.metadata["start"] : doc.metadata["end"]] == doc.page_content
        assert doc.metadata["locator"] == passage.locator
    assert docs[0].metadata["source"] == NOTES


def test_in_an_lcel_chain_with_a_fake_chat_model(shared: Assistant) -> None:
    prompts: list[str] = []

    def remember(prompt: PromptValue) -> PromptValue:
        prompts.append(prompt.to_string())
        return prompt

    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer from these passages only:\n{context}"), ("human", "{question}")]
    )
    model = FakeListChatModel(responses=["Yes, on the last day [1]."])
    retriever = AssistantRetriever(assistant=shared, k=2)
    chain = (
        {"context": retriever | cited, "question": RunnablePassthrough()}
        | prompt
        | RunnableLambda(remember)
        | model
        | StrOutputParser()
    )
    assert chain.invoke(QUERY) == "Yes, on the last day [1]."
    top = shared.retrieve(QUERY, k=2)[0]
    assert f"[1] ({top.locator}) {top.text}" in prompts[0]
    assert prompts[0].rstrip().endswith(QUERY)
    assert asyncio.run(retriever.ainvoke(QUERY)) == retriever.invoke(QUERY)


def test_filters_hold_and_unknown_ones_are_named(shared: Assistant) -> None:
    only = AssistantRetriever(assistant=shared, k=4, kinds=["commentary"])
    assert {d.metadata["kind"] for d in only.invoke("resolution fund")} == {"commentary"}
    scoped = AssistantRetriever(assistant=shared, k=4, sources=[NOTES])
    assert {d.metadata["source"] for d in scoped.invoke("conference")} == {NOTES}
    with pytest.raises(AssistantError, match="poetry"):
        AssistantRetriever(assistant=shared, kinds=["poetry"]).invoke(QUERY)

"""`AssistantRetriever`: the assistant's hybrid retrieval as a LangChain `BaseRetriever`.

    retriever = AssistantRetriever(assistant=Assistant.open(), k=5, kinds=["resolution"])
    docs = retriever.invoke("Who can take part in CWG-Internet?")

Each Document holds a passage's text; its metadata hold every other field of the `Passage`
(source, title, locator, kind, start, end, score, chunk_id, and page when a PDF gives one), so
a chain can cite `metadata["locator"]` and check `source_text(source)[start:end]`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.api import Assistant
from assistant.schema import Passage


def passage_document(passage: Passage) -> Document:
    """A passage as a Document: its text, and its other fields (those set) as metadata."""
    fields = dataclasses.asdict(passage)
    text = fields.pop("text")
    metadata: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
    return Document(page_content=text, metadata=metadata, id=passage.chunk_id or None)


class AssistantRetriever(BaseRetriever):
    """The `k` passages `Assistant.retrieve` finds for a query, as LangChain Documents.

    `kinds` and `sources` filter as in `Assistant.retrieve` (unknown values raise
    `AssistantError` naming what is indexed).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Assistant
    k: int = 5
    kinds: list[str] | None = None
    sources: list[str] | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        passages = self.assistant.retrieve(query, k=self.k, kinds=self.kinds, sources=self.sources)
        return [passage_document(p) for p in passages]

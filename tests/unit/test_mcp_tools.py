"""The MCP tools in process (the server's own `list_tools` / `call_tool`, no transport) over a
fake-embedding assistant: typed, described inputs, answers identical to `Assistant.ask`, and
assistant errors as tool errors. The stdio and HTTP transports are in tests/integration/test_mcp.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import docs_assistant
from mcp.server.mcpserver.exceptions import ToolError

from assistant import Assistant
from assistant.interfaces.mcp_server import build_server
from assistant.interfaces.service import Service

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs"
NOTES = "lighthouse-notes.md"
QUESTION = "Was the fund for the lighthouse keepers approved?"


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    assistant = docs_assistant(tmp_path_factory.mktemp("mcp"))
    yield assistant
    assistant.close()


def call(shared: Assistant, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = asyncio.run(build_server(Service(shared)).call_tool(tool, arguments))
    assert result.structured_content is not None
    return result.structured_content


def test_the_tools_have_typed_described_inputs(shared: Assistant) -> None:
    tools = {t.name: t for t in asyncio.run(build_server(Service(shared)).list_tools())}
    assert set(tools) == {"ask", "search", "list_sources", "read_source"}
    ask = tools["ask"].input_schema
    assert ask["required"] == ["question"]
    assert ask["properties"]["question"]["type"] == "string"
    assert all(p.get("description") for p in ask["properties"].values())
    assert set(tools["read_source"].input_schema["properties"]) == {"id", "start", "end"}
    assert tools["search"].input_schema["properties"]["k"]["default"] == 5
    cited = tools["ask"].output_schema["$defs"]["Citation"]["properties"]  # type: ignore[index]
    assert {"marker", "quote", "start", "end", "role"} <= set(cited)


@pytest.mark.parametrize("kinds", [None, ["commentary"]])
def test_ask_gives_the_answer_of_assistant_ask(shared: Assistant, kinds: list[str] | None) -> None:
    answer = shared.ask(QUESTION, kinds=kinds)
    got = call(shared, "ask", {"question": QUESTION, "kinds": kinds})
    assert got["text"] == answer.text and got["abstained"] is answer.abstained
    assert got["citations"] == [dataclasses.asdict(c) for c in answer.citations]


def test_search_list_and_read(shared: Assistant) -> None:
    passages = call(shared, "search", {"query": "lighthouse keepers", "k": 2})["passages"]
    assert [p["text"] for p in passages] == [
        p.text for p in shared.retrieve("lighthouse keepers", 2)
    ]
    ids = [s["id"] for s in call(shared, "list_sources", {})["sources"]]
    assert NOTES in ids
    first = passages[0]
    span = call(
        shared, "read_source", {"id": first["source"], "start": first["start"], "end": first["end"]}
    )
    assert span["text"] == first["text"]


@pytest.mark.parametrize(
    ("tool", "arguments", "says"),
    [
        ("ask", {"question": QUESTION, "kinds": ["poetry"]}, "indexed kinds are"),
        ("ask", {"question": "  "}, "empty"),
        ("ask", {"question": "x" * 2001}, "at most 2000"),
        ("search", {"query": "fund", "k": 0}, "1 to 50"),
        ("read_source", {"id": "nope.txt"}, "list_sources"),
    ],
)
def test_errors_are_tool_errors_with_the_message(
    shared: Assistant, tool: str, arguments: dict[str, Any], says: str
) -> None:
    with pytest.raises(ToolError, match=says):
        asyncio.run(build_server(Service(shared)).call_tool(tool, arguments))

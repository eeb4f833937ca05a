"""`assistant mcp` through the official `mcp` SDK's stdio client: a real `python -m assistant
mcp` process (real packaged model) over a small invented source; and the same tools over
streamable HTTP with the API key."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from helpers.processes import wait_for_port
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

DOCS = Path(__file__).resolve().parents[1] / "data" / "docs"
NOTES = "lighthouse-notes.md"
QUESTION = "Was the fund for the lighthouse keepers approved?"
KEY = "mcp-key-41"


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, str]:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy2(DOCS / NOTES, sources / NOTES)
    return {"ASSISTANT_SOURCES": str(sources), "ASSISTANT_INDEX": str(tmp_path / "index")}


async def exercise(session: ClientSession) -> dict[str, Any]:
    await session.initialize()
    tools = {t.name: t for t in (await session.list_tools()).tools}
    assert set(tools) == {"ask", "search", "list_sources", "read_source"}
    for tool in tools.values():
        assert tool.description and len(tool.description) > 40
    assert tools["ask"].input_schema["required"] == ["question"]
    assert "description" in tools["ask"].input_schema["properties"]["kinds"]
    asked = await session.call_tool("ask", {"question": QUESTION})
    assert not asked.is_error
    answer = asked.structured_content
    assert answer is not None and answer["abstained"] is False and "[1]" in answer["text"]
    assert answer["citations"][0]["source"] == NOTES
    found = await session.call_tool("search", {"query": "lighthouse foghorns", "k": 2})
    passages = (found.structured_content or {})["passages"]
    assert len(passages) == 2 and passages[0]["source"] == NOTES
    cited = answer["citations"][0]
    read = await session.call_tool(
        "read_source", {"id": NOTES, "start": cited["start"], "end": cited["end"]}
    )
    assert (read.structured_content or {})["text"] == cited["quote"]  # verbatim
    listed = await session.call_tool("list_sources", {})
    assert [s["id"] for s in (listed.structured_content or {})["sources"]] == [NOTES]
    refused = await session.call_tool("ask", {"question": QUESTION, "kinds": ["poetry"]})
    assert refused.is_error
    assert "indexed kinds are 'commentary'" in json.dumps([c.model_dump() for c in refused.content])
    return answer


def test_the_stdio_server_lists_and_runs_its_tools(folders: dict[str, str]) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "assistant", "mcp"],
        env={**os.environ, **folders},  # PYTHONPATH and the offline flags pass through
    )

    async def main() -> dict[str, Any]:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
            return await exercise(session)

    answer = anyio.run(main)
    assert "The fund was approved" in answer["text"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_streamable_http_with_the_api_key(folders: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "assistant", "mcp", "--http", str(port)],
        env={**os.environ, **folders, "ASSISTANT_API_KEY": KEY},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_port(server, port, "the MCP server")
        url = f"http://127.0.0.1:{port}/mcp"
        assert httpx.post(url, json={}).status_code == 401

        async def main() -> dict[str, Any]:
            headers = {"authorization": f"Bearer {KEY}"}
            async with (
                httpx2.AsyncClient(headers=headers, timeout=60) as http,
                streamable_http_client(url, http_client=http) as (read, write),
                ClientSession(read, write) as session,
            ):
                return await exercise(session)

        assert "[1]" in anyio.run(main)["text"]
    finally:
        server.terminate()
        server.wait(30)

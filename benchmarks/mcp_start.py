"""`assistant mcp` start: seconds from spawning the stdio server to its tool list, and to the
first `ask` answer, on an index of the shipped commentary (built by a first run).

    .venv/bin/python benchmarks/mcp_start.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import anyio
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

ROOT = Path(__file__).resolve().parent.parent


async def once(env: dict[str, str]) -> tuple[float, float]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "assistant", "mcp"], env=env)
    began = time.perf_counter()
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        await session.list_tools()
        listed = time.perf_counter() - began
        await session.call_tool("ask", {"question": "Who can take part in CWG-Internet?"})
        return listed, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    shutil.copytree(ROOT / "sources", folder / "sources")
    env = {
        **os.environ,
        "ASSISTANT_SOURCES": str(folder / "sources"),
        "ASSISTANT_INDEX": str(folder / "index"),
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    anyio.run(once, env)  # builds the index
    times = [anyio.run(once, env) for _ in range(args.runs)]
    print(
        f"tool list after {statistics.median(t[0] for t in times):.2f} s, first answer after "
        f"{statistics.median(t[1] for t in times):.2f} s (median of {args.runs})"
    )
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

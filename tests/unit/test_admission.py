"""The web chat's admission: answers computed in its own pool of threads, off the event loop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from assistant.interfaces.web.admission import Admission, Busy, in_threads


def test_work_under_a_slot_runs_in_the_pool_while_the_loop_stays_free() -> None:
    admission = Admission(slots=2, max_waiting=4)
    names: list[str] = []
    ticks = 0

    def work(seconds: float) -> str:
        names.append(threading.current_thread().name)
        time.sleep(seconds)  # blocking, as an answer's CPU work is
        return "done"

    async def ticker() -> None:
        nonlocal ticks
        for _ in range(10):
            await asyncio.sleep(0.01)
            ticks += 1

    async def ask() -> str:
        async with admission.slot():
            return await admission.run(work, 0.3)

    async def main() -> list[str]:
        began = time.monotonic()
        results = await asyncio.gather(ask(), ask(), ticker())
        assert time.monotonic() - began < 0.55  # both ran at once, in two threads (0.6 s in turn)
        return [r for r in results if r]

    assert asyncio.run(main()) == ["done", "done"]
    assert ticks == 10  # the loop ran the ticker while both answers were computed
    assert len(names) == 2 and all(n.startswith("answer") for n in names)


def test_streamed_parts_come_from_the_pool_threads() -> None:
    admission = Admission(slots=1, max_waiting=1)

    def parts() -> Iterator[str]:
        yield threading.current_thread().name
        yield threading.current_thread().name

    async def main() -> list[str]:
        async with admission.slot():
            return [p async for p in in_threads(parts, pool=admission.pool)]

    got = asyncio.run(main())
    assert len(got) == 2 and all(name.startswith("answer") for name in got)


def test_a_full_waiting_room_still_answers_busy() -> None:
    admission = Admission(slots=1, max_waiting=0)

    async def main() -> None:
        async with admission.slot():
            with pytest.raises(Busy):
                async with admission.slot():
                    pass

    asyncio.run(main())

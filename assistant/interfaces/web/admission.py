"""How many answers the web chat computes at once, and a clear "busy" answer beyond (no gradio).

Questions wait here, on the event loop, not in Gradio's queue: a question that would only join
a full waiting room is answered at once with "busy, retry in N s" (`Busy`), instead of the
"Queue is full" error a client gets from Gradio. Waiting costs no thread; `slots` answers run,
each in a thread of the admission's own pool (`run`, `in_threads`), so the CPU-bound work is
off the event loop and never waits for threads that Gradio or other routes use.
"""

from __future__ import annotations

import asyncio
import functools
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from typing import TypeVar, cast

from assistant.errors import AssistantError

T = TypeVar("T")
BUSY_PREFIX = "The assistant is busy"
_END = object()

# Until an answer has been timed, the wait is estimated at this many seconds an answer.
FIRST_ANSWER_S = 1.0
# Weight of the newest answer's duration in the running mean used for the estimate.
SMOOTHING = 0.2


class Busy(AssistantError):
    """Too many questions are waiting; `retry_after` is the estimated wait in seconds."""

    def __init__(self, waiting: int, retry_after: int) -> None:
        self.waiting = waiting
        self.retry_after = retry_after
        waits = "1 question is" if waiting == 1 else f"{waiting} questions are"
        super().__init__(
            f"{BUSY_PREFIX}: {waits} waiting for an answer. Please retry in {retry_after} s."
        )


class Admission:
    """At most `slots` holders at once, at most `max_waiting` waiting in turn; others get Busy.

    Use from one event loop (Gradio's): `async with admission.slot(): ...`, and compute under
    the slot with `await admission.run(fn, ...)` (or `in_threads(..., pool=admission.pool)`):
    the pool has one thread per slot, so a slot holder never waits for a thread.
    """

    def __init__(
        self, *, slots: int, max_waiting: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.slots = slots
        self.max_waiting = max_waiting
        self.pool = ThreadPoolExecutor(max_workers=slots, thread_name_prefix="answer")
        self._clock = clock
        self._running = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._mean_s = FIRST_ANSWER_S

    @property
    def running(self) -> int:
        """Slots held now."""
        return self._running

    @property
    def waiting(self) -> int:
        """Questions waiting for a slot now."""
        return sum(not future.done() for future in self._waiters)

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """`fn(*args)` in a thread of the pool, awaited (blocking work off the event loop)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, functools.partial(fn, *args))

    def retry_after(self) -> int:
        """Whole seconds until a new question would likely get a slot (at least 1)."""
        ahead = self.waiting + max(0, self._running - self.slots + 1)
        return max(1, math.ceil(ahead * self._mean_s / self.slots))

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one slot for the body; raises Busy at once when the waiting room is full."""
        await self._acquire()
        began = self._clock()
        try:
            yield
        finally:
            took = self._clock() - began
            self._mean_s += SMOOTHING * (took - self._mean_s)
            self._release()

    async def _acquire(self) -> None:
        if self._running < self.slots and not self.waiting:
            self._running += 1
            return
        if self.waiting >= self.max_waiting:
            raise Busy(self.waiting, self.retry_after())
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(future)
        try:
            await future  # resolved by _release, which hands its slot over
        except asyncio.CancelledError:
            if future.cancelled():  # the client went away while waiting
                with suppress(ValueError):
                    self._waiters.remove(future)
            else:  # the slot was handed over just as the client went away: pass it on
                self._release()
            raise

    def _release(self) -> None:
        while self._waiters:
            future = self._waiters.popleft()
            if not future.done():
                future.set_result(None)  # the slot passes on; `_running` stays
                return
        self._running -= 1


async def in_threads(
    start: Callable[[], Iterator[T]], *, pool: ThreadPoolExecutor | None = None
) -> AsyncIterator[T]:
    """The items of the blocking iterator `start()` makes, each computed in a worker thread
    (of `pool`, or asyncio's default one).

    So that an answer streamed under a slot keeps the event loop free for the others.
    """
    loop = asyncio.get_running_loop()
    items = await loop.run_in_executor(pool, start)
    while (item := await loop.run_in_executor(pool, next, items, _END)) is not _END:
        yield cast(T, item)

"""The sandbox: read untrusted files in a worker process, under memory, CPU and time limits.

A parser of untrusted structure (PDF objects, a zip of XML parts, HTML markup) can be made to
allocate gigabytes, or to loop for minutes, by a file of a few kilobytes. `run` hands such a
loader and the file's bytes to a worker process, which reads them under

- an address-space limit (`RLIMIT_AS`, set in the worker: `ASSISTANT_PARSE_MEMORY_MB`), past
  which allocations fail and the worker exits;
- a CPU-time limit for each file (`RLIMIT_CPU`, set in the worker before each file:
  `ASSISTANT_PARSE_CPU_SECONDS`), at which the kernel stops the worker;
- a wall-clock timeout for each file (`ASSISTANT_PARSE_TIMEOUT`), kept by the caller, which
  kills the worker;

and turns the limit that was hit into a `SourceError` that names it and the setting to raise.
The caller's memory holds no more than the file's bytes and the text that comes back.

A worker is `python -c "...sandbox.serve(fd, memory)"` started with `subprocess` (fork + exec,
safe however many threads the caller runs), talking over a socket pair; it imports the parsers
once (about a second), then reads one file after another: a sync of a folder starts one. It is
kept for the next file unless a limit stopped it or a file took half its memory; it exits after
a minute without work, or when the caller exits. Threads reading at once get a worker each.
The loader travels by reference (pickle), so it is a module-level function; the worker never
imports the caller's main script.
"""

from __future__ import annotations

import atexit
import math
import os
import pickle
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from assistant.config import Settings
from assistant.errors import SourceError


@dataclass(frozen=True)
class Extracted:
    """What a loader found in a file: its text, and what the file says of itself."""

    text: str
    title: str = ""  # the file's own title (PDF /Title, DOCX core properties), not yet checked
    scanned: bool = False  # a PDF whose pages have (almost) no text layer: OCR could read it
    # A PDF: where each page starts in `text`, and the pages' printed labels if it has them.
    page_starts: tuple[int, ...] = ()
    page_labels: tuple[str, ...] = ()


Loader = Callable[[bytes], "str | Extracted"]

_MIB = 1024 * 1024
_OUT_OF_MEMORY = 86  # the exit status of a worker that ran out of memory (it allocates nothing)
_START_SECONDS = 120.0  # time a new worker may take to import the parsers
_IDLE_SECONDS = 60.0  # a worker without work for this long exits
_REUSE_SECONDS = 45.0  # the caller reuses only workers idle for less (well inside the minute)
_MAX_IDLE = 2  # idle workers kept
_MAX_FILES = 500  # files one worker reads before it retires
_PRELOAD: list[str] = []  # modules a worker imports before its first file (`preload`)
_lock = threading.Lock()
_idle: list[tuple[_Worker, float]] = []


@dataclass(frozen=True)
class ParseLimits:
    """What reading one file may take: wall-clock seconds, CPU seconds and MiB of memory."""

    timeout: float
    cpu_seconds: float
    memory_mb: int
    ocr: bool = False  # run `ocrmypdf` on a PDF without a text layer (ASSISTANT_OCR)
    ocr_timeout: float = 600.0  # seconds `ocrmypdf` may take for one file

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> ParseLimits:
        """The `ASSISTANT_PARSE_*` and `ASSISTANT_OCR*` settings; from the environment if none."""
        settings = settings or Settings()
        return cls(
            settings.parse_timeout,
            settings.parse_cpu_seconds,
            settings.parse_memory_mb,
            settings.ocr,
            settings.ocr_timeout,
        )


class ParserFailure(Exception):
    """A loader's own exception in the worker, raised again in the caller with its message."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind  # the exception's class name in the worker, for logs


def preload(*modules: str) -> None:
    """Have every new worker import `modules` before its first file (the parsers)."""
    with _lock:
        _PRELOAD.extend(name for name in modules if name not in _PRELOAD)


def run(read: Loader, data: bytes, *, limits: ParseLimits, max_chars: int) -> str | Extracted:
    """`read(data)` in a worker process under `limits`; text over `max_chars` is refused there.

    Raises SourceError when a limit is hit or the loader raises SourceError, and ParserFailure
    (with the loader's message) when the loader raises anything else.
    """
    job = (list(sys.path), pickle.dumps(read), data, limits.cpu_seconds, max_chars)
    worker = _checkout(limits.memory_mb)
    reply: tuple[Any, ...] = ("retired",)
    try:
        reply = worker.ask(job, limits)
    finally:
        if reply[-1] is False:  # the worker is well: keep it for the next file
            _checkin(worker)
        else:
            worker.stop()
    kind, text, exc_kind, _ = reply
    if kind == "text":
        return text if isinstance(text, Extracted) else str(text)
    if kind == "source":
        raise SourceError(text)
    raise ParserFailure(text, exc_kind)


class _Worker:
    """One worker process and the caller's end of its socket."""

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        ours, theirs = socket.socketpair()
        code = (
            f"import sys; sys.path[:] = {sys.path!r}; from assistant.ingest.sandbox import serve; "
            f"serve({theirs.fileno()}, {memory_mb}, {_PRELOAD!r})"
        )
        # No ASSISTANT_* variables (an API key, a password) in the process that meets the files.
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", code],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                pass_fds=[theirs.fileno()],
                env=env,
            )
        finally:
            theirs.close()
        self.connection = Connection(ours.detach())
        if not self.connection.poll(_START_SECONDS) or not _received(self.connection):
            self.stop()
            raise SourceError(
                "the worker process that reads pdf, docx and html files did not start "
                f"(exit status {self.process.returncode}); see the log above"
            )

    def ask(self, job: tuple[Any, ...], limits: ParseLimits) -> tuple[Any, ...]:
        """The worker's reply to one file, or a SourceError naming the limit that stopped it."""
        try:
            self.connection.send(job)
            if not self.connection.poll(limits.timeout):  # returns at once if the worker died
                self.stop()
                raise SourceError(
                    f"took more than {limits.timeout:g} s to read; raise "
                    "ASSISTANT_PARSE_TIMEOUT or split the file"
                )
            reply: tuple[Any, ...] = self.connection.recv()
            return reply
        except (EOFError, OSError):
            pass
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        raise SourceError(_stopped(code, limits))

    def usable(self, memory_mb: int, idle_since: float) -> bool:
        """Whether this idle worker may take a file with this memory limit now."""
        fresh = time.monotonic() - idle_since < _REUSE_SECONDS
        return fresh and memory_mb == self.memory_mb and self.process.poll() is None

    def stop(self) -> None:
        """End the worker (if it still runs) and release its socket."""
        self.connection.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def _received(connection: Connection) -> bool:
    try:
        return bool(connection.recv() == "ready")
    except (EOFError, OSError):
        return False


def _checkout(memory_mb: int) -> _Worker:
    with _lock:
        while _idle:
            worker, since = _idle.pop()
            if worker.usable(memory_mb, since):
                return worker
            worker.stop()
    return _Worker(memory_mb)  # outside the lock: starting takes about a second


def _checkin(worker: _Worker) -> None:
    with _lock:
        if len(_idle) < _MAX_IDLE:
            _idle.append((worker, time.monotonic()))
            return
    worker.stop()


@atexit.register
def _stop_idle_workers() -> None:
    with _lock:
        while _idle:
            _idle.pop()[0].stop()


def _stopped(code: int | None, limits: ParseLimits) -> str:
    """Why a worker that sent no reply stopped, by its exit status."""
    import signal

    if code == _OUT_OF_MEMORY:
        return (
            f"needed more than {limits.memory_mb} MB of memory to read; raise "
            "ASSISTANT_PARSE_MEMORY_MB or split the file"
        )
    if code == -signal.SIGXCPU:
        return (
            f"used more than {limits.cpu_seconds:g} s of CPU time to read; raise "
            "ASSISTANT_PARSE_CPU_SECONDS or split the file"
        )
    if code == -signal.SIGKILL:  # the kernel's out-of-memory killer
        return (
            "the process reading it was killed by the system, most likely for lack of memory; "
            "lower ASSISTANT_PARSE_MEMORY_MB or split the file"
        )
    return f"the process reading it stopped unexpectedly (exit status {code}); is it damaged?"


# -- in the worker ----------------------------------------------------------------------------


def serve(fd: int, memory_mb: int, modules: list[str]) -> None:
    """The worker's main loop: import `modules`, cap memory, then read the files sent on `fd`."""
    import importlib
    import resource

    connection = Connection(fd)
    for name in modules:
        importlib.import_module(name)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a stopped worker leaves no core file
    _lower(resource.RLIMIT_AS, memory_mb * _MIB, memory_mb * _MIB)
    connection.send("ready")
    for files in range(1, _MAX_FILES + 1):
        if not connection.poll(_IDLE_SECONDS):
            return
        try:
            path, loader, data, cpu_seconds, max_chars = connection.recv()
        except EOFError:  # the caller has gone
            return
        sys.path[:] = path
        usage = resource.getrusage(resource.RUSAGE_SELF)
        # Whole seconds: SIGXCPU at the soft limit stops the worker. The hard limit is left,
        # so that the next file can be given its own budget.
        _lower(resource.RLIMIT_CPU, math.ceil(usage.ru_utime + usage.ru_stime + cpu_seconds))
        kind, text, exc_kind = _read(loader, data, max_chars, memory_mb)
        retire = files == _MAX_FILES or _status_kb("VmHWM") * 1024 > memory_mb * _MIB / 2
        try:
            connection.send((kind, text, exc_kind, retire))
        except MemoryError:
            os._exit(_OUT_OF_MEMORY)
        if retire:
            return


def _read(
    loader: bytes, data: bytes, max_chars: int, memory_mb: int
) -> tuple[str, str | Extracted, str]:
    """(kind, text or message, exception class) for one file; exits if memory ran out."""
    peak_before = _status_kb("VmPeak")
    try:
        read = pickle.loads(loader)
        text = read(data)
        if not isinstance(text, str | Extracted):
            raise TypeError(f"the loader returned {type(text).__name__}, not text")
        size = len(text if isinstance(text, str) else text.text)
        if size > max_chars:
            return "source", f"{size} characters of text is over the limit", ""
        return "text", text, ""
    except MemoryError:
        os._exit(_OUT_OF_MEMORY)
    except SourceError as exc:
        return "source", str(exc), ""
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - reported to the caller
        # A C parser's "allocation failed": this file took the worker near its memory limit.
        peak = _status_kb("VmPeak")
        if peak > peak_before and peak * 1024 >= 0.9 * memory_mb * _MIB:
            os._exit(_OUT_OF_MEMORY)
        return "failure", str(exc), type(exc).__name__


def _lower(kind: int, soft: int, hard: int | None = None) -> None:
    """Set a limit, never above the hard limit the worker was given (it cannot raise that)."""
    import resource

    current_soft, ceiling = resource.getrlimit(kind)
    wanted = ceiling if hard is None else hard
    if ceiling != resource.RLIM_INFINITY:
        wanted = min(wanted, ceiling)
    if wanted != resource.RLIM_INFINITY:
        soft = min(soft, wanted)
    resource.setrlimit(kind, (soft, wanted))


def _status_kb(field: str) -> int:
    """A `VmPeak`-like field of /proc/self/status, in kB; 0 where there is none."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            line = next((line for line in status if line.startswith(field + ":")), "")
    except OSError:
        return 0
    parts = line.split()
    return int(parts[1]) if len(parts) >= 2 else 0

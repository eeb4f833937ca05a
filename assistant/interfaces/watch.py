"""Re-indexing outside the request path: the shared record of re-index runs, and a watcher that
re-indexes in the background when files in the sources folder are added, changed or removed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import watchfiles

from assistant.api import Assistant
from assistant.errors import AssistantError
from assistant.schema import IndexReport

logger = logging.getLogger(__name__)


class IndexStatus:
    """The last re-index (its report, or its error), shared by every web session and the
    watcher; `version` grows with every change so pages can tell when to refresh."""

    def __init__(self, *, watching: bool = False) -> None:
        self.watching = watching
        self._lock = threading.Lock()
        self.version, self.busy = 0, False
        self.report: IndexReport | None = None
        self.error: str | None = None

    def start(self) -> None:
        """A re-index has begun."""
        with self._lock:
            self.busy, self.version = True, self.version + 1

    def record(self, report: IndexReport | None = None, error: str | None = None) -> None:
        """A re-index has ended with `report`, or failed with `error`."""
        with self._lock:
            self.busy, self.version = False, self.version + 1
            self.report, self.error = (report or self.report), error

    @contextmanager
    def running(self) -> Iterator[None]:
        """`start()` for the block; a block that raises is recorded as failed, so the status
        never stays busy."""
        self.start()
        try:
            yield
        except BaseException as exc:
            self.record(error=f"re-index stopped: {exc!r}")
            raise


class SourceWatcher:
    """A daemon thread that waits for changes under `sources/` and then calls `reindex()`."""

    def __init__(
        self, assistant: Assistant, *, status: IndexStatus | None = None, debounce_ms: int = 1500
    ) -> None:
        self._assistant = assistant
        self.status = status or IndexStatus(watching=True)
        self._debounce_ms = debounce_ms
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def folder(self) -> str:
        """The folder being watched."""
        return str(self._assistant.settings.sources)

    def start(self) -> None:
        """Start watching; returns at once."""
        if self._thread is not None:
            return
        self._assistant.settings.sources.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="source-watcher", daemon=True)
        self._thread.start()
        logger.info("watching %s for changes", self.folder)

    def stop(self, timeout: float = 5.0) -> None:
        """Stop watching and wait for the thread (and any re-index in progress) to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        # watchfiles coalesces a burst of events (a copy, an editor's save) into one batch.
        for changes in watchfiles.watch(
            self.folder, debounce=self._debounce_ms, stop_event=self._stop, raise_interrupt=False
        ):
            logger.info("%d change(s) in %s; re-indexing", len(changes), self.folder)
            self.reindex_now()

    def reindex_now(self) -> IndexReport | None:
        """Re-index once; errors are logged and recorded in `status`, never raised."""
        try:
            with self.status.running():
                report = self._assistant.reindex()
        except AssistantError as exc:
            logger.warning("background re-index failed: %s", exc)
            self.status.record(error=str(exc))
            return None
        except Exception as exc:  # keep the watcher alive whatever a file does to the loader
            logger.exception("background re-index crashed")
            self.status.record(error=f"re-index failed unexpectedly: {exc}")
            return None
        logger.info(
            "re-indexed: %d added, %d updated, %d removed, %d failed",
            len(report.added),
            len(report.updated),
            len(report.removed),
            len(report.failed),
        )
        self.status.record(report)
        return report

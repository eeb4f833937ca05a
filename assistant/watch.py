"""Re-index in the background when files in the sources folder are added, changed or removed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import watchfiles

from assistant.api import Assistant
from assistant.errors import AssistantError
from assistant.schema import IndexReport

logger = logging.getLogger(__name__)

OnReport = Callable[[IndexReport], None]
OnError = Callable[[str], None]


class SourceWatcher:
    """A daemon thread that waits for changes under `sources/` and then calls `reindex()`."""

    def __init__(self, assistant: Assistant, *, debounce_ms: int = 1500,
                 on_start: Callable[[], None] | None = None, on_report: OnReport | None = None,
                 on_error: OnError | None = None) -> None:
        self._assistant = assistant
        self._debounce_ms = debounce_ms
        self._on_start = on_start
        self._on_report = on_report
        self._on_error = on_error
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
        for changes in watchfiles.watch(self.folder, debounce=self._debounce_ms,
                                        stop_event=self._stop, raise_interrupt=False):
            logger.info("%d change(s) in %s; re-indexing", len(changes), self.folder)
            self.reindex_now()

    def reindex_now(self) -> IndexReport | None:
        """Re-index once; errors are logged and reported, never raised."""
        if self._on_start:
            self._on_start()
        try:
            report = self._assistant.reindex()
        except AssistantError as exc:
            logger.warning("background re-index failed: %s", exc)
            if self._on_error:
                self._on_error(str(exc))
            return None
        except Exception as exc:  # keep the watcher alive whatever a file does to the loader
            logger.exception("background re-index crashed")
            if self._on_error:
                self._on_error(f"re-index failed unexpectedly: {exc}")
            return None
        logger.info("re-indexed: %d added, %d updated, %d removed, %d failed",
                    len(report.added), len(report.updated), len(report.removed),
                    len(report.failed))
        if self._on_report:
            self._on_report(report)
        return report

"""Extract one file's text as indexing does, in a process a test can time out and kill.

    python tests/helpers/load_source.py FILE

Prints one JSON line: {"ok": true, "chars": N, "seconds": S} or
{"ok": false, "error": "<SourceError message>", "seconds": S}. Other exceptions propagate
(a traceback and exit status 1), which is what a test must never see.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from assistant.errors import SourceError
from assistant.ingest import sources


def main() -> int:
    """Load the file named on the command line and print the outcome."""
    path = Path(sys.argv[1])
    started = time.perf_counter()
    try:
        loaded = sources.load(sources.SourceFile(path.name, path, "digest"))
    except SourceError as exc:
        outcome: dict[str, object] = {"ok": False, "error": str(exc)}
    else:
        outcome = {"ok": True, "chars": len(loaded.text)}
    outcome["seconds"] = round(time.perf_counter() - started, 3)
    print(json.dumps(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main())

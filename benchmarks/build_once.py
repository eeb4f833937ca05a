"""One build of a new index, timed, in its own process: for comparing two checkouts.

`benchmarks/indexing.py --code LABEL=DIR` runs this with `PYTHONPATH=DIR`, so the `assistant`
package imported here is that checkout's. The model is loaded and warmed up first, outside
the timing; the timed part is `Assistant.open` on a new index (imports of Chroma included, as in
`indexing.py`'s step (b)). The last line of stdout is the JSON result.

    PYTHONPATH=DIR .venv/bin/python benchmarks/build_once.py --sources S --index I
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--backend", default="onnx", choices=["onnx", "torch", "onnx-int8"])
    args = parser.parse_args()

    import assistant as package
    from assistant import Assistant
    from assistant.config import DEFAULT_EMBEDDING_MODEL
    from assistant.index.embeddings import load_embeddings

    embeddings = load_embeddings(DEFAULT_EMBEDDING_MODEL, args.backend)
    embeddings.embed_documents(["warm-up"])
    shutil.rmtree(args.index, ignore_errors=True)
    began = time.perf_counter()
    assistant = Assistant.open(sources=args.sources, index=args.index, embeddings=embeddings)
    seconds = time.perf_counter() - began
    report = assistant.last_report
    assistant.close()
    shutil.rmtree(args.index, ignore_errors=True)
    result = {
        "s": seconds,
        "embedded": report.chunks_embedded if report else None,
        "package": str(Path(package.__file__).resolve().parent),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""One build of a new index, timed, in its own process: for comparing checkouts (and LangChain).

`benchmarks/indexing.py --code LABEL=DIR` runs this with `PYTHONPATH=DIR`, so the `assistant`
package imported here is that checkout's; `--langchain` builds the plain LangChain pipeline
instead (the same as `indexing.py`'s step (c)). The model is loaded and warmed up first,
outside the timing; the timed part is `Assistant.open` on a new index (imports of Chroma
included, as in `indexing.py`'s step (b)), or the LangChain split and build. Wall time and this
process's CPU time (every thread) are reported; on a machine shared with other work the CPU
time moves less with the load. The last line of stdout is the JSON result.

    PYTHONPATH=DIR .venv/bin/python benchmarks/build_once.py --sources S --index I [--langchain]
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path
from typing import Any


def ours(sources: Path, index: Path, backend: str) -> dict[str, Any]:
    """Time our build of a new index at `index`."""
    from assistant import Assistant
    from assistant.config import DEFAULT_EMBEDDING_MODEL
    from assistant.index.embeddings import load_embeddings

    embeddings = load_embeddings(DEFAULT_EMBEDDING_MODEL, backend)
    embeddings.embed_documents(["warm-up"])
    began, cpu = time.perf_counter(), time.process_time()
    assistant = Assistant.open(sources=sources, index=index, embeddings=embeddings)
    result = {"s": time.perf_counter() - began, "cpu_s": time.process_time() - cpu}
    report = assistant.last_report
    assistant.close()
    return {**result, "embedded": report.chunks_embedded if report else None}


def langchain(sources: Path, index: Path) -> dict[str, Any]:
    """Time the plain LangChain build (splitter, HuggingFaceEmbeddings, Chroma) at `index`."""
    from langchain_huggingface import HuggingFaceEmbeddings

    from assistant.config import DEFAULT_EMBEDDING_MODEL
    from assistant.evaluation.baselines import LangChainBaseline, load_corpus
    from assistant.index.models import model_path

    plain = HuggingFaceEmbeddings(
        model_name=str(model_path(DEFAULT_EMBEDDING_MODEL)),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 64},
    )
    plain.embed_documents(["warm-up"])
    began, cpu = time.perf_counter(), time.process_time()
    baseline = LangChainBaseline(load_corpus(sources), embeddings=plain, folder=index)
    result = {"s": time.perf_counter() - began, "cpu_s": time.process_time() - cpu}
    baseline.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--backend", default="onnx", choices=["onnx", "torch", "onnx-int8"])
    parser.add_argument("--langchain", action="store_true", help="build LangChain's instead")
    args = parser.parse_args()

    import assistant as package

    shutil.rmtree(args.index, ignore_errors=True)
    if args.langchain:
        result = langchain(args.sources, args.index)
    else:
        result = ours(args.sources, args.index, args.backend)
    shutil.rmtree(args.index, ignore_errors=True)
    result["package"] = str(Path(package.__file__).resolve().parent)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

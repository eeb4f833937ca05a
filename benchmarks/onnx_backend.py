"""ONNX Runtime against PyTorch for the packaged MiniLM model: speed and quality.

sentence-transformers' own ONNX backend (`SentenceTransformer(path, backend="onnx")`) needs
`optimum-onnx`, whose only release pins transformers<4.58, while sentence-transformers 6
needs transformers>=5: the two cannot be installed together. So this script exports the model
itself, offline, from the packaged folder: torch.onnx.export of BERT + mean pooling +
L2 normalisation (one graph), then onnxruntime's dynamic int8 quantization of that export.
It runs the graph with onnxruntime and the model's own tokenizer.json (`tokenizers`).

Measured in one run: batch encoding throughput on our sentences, single-query latency,
agreement with the PyTorch vectors (cosine), and retrieval/answer quality via
assistant.evaluate on every question file, each backend building its own index.

    .venv/bin/pip install onnx onnxscript      # onnxruntime is already a chromadb dependency
    .venv/bin/python benchmarks/onnx_backend.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib

MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)
BATCH = 64


def export(model_dir: Path, out: Path) -> Path:
    """Export BERT with mean pooling and normalisation to `out/model.onnx`."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    sample = tokenizer(
        ["an example", "a second, longer example sentence"], padding=True, return_tensors="pt"
    )
    names = ["input_ids", "attention_mask", "token_type_ids"]
    path = out / "model.onnx"
    torch.onnx.export(
        Pooled(),
        tuple(sample[n] for n in names),
        str(path),
        input_names=names,
        output_names=["embedding"],
        opset_version=17,
        dynamo=False,
        dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "embedding": {0: "batch"}},
    )
    return path


def quantize(model: Path, out: Path, per_channel: bool) -> Path:
    """Dynamic int8 quantization of the weights (activations quantized at run time)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = out / ("model-int8-per-channel.onnx" if per_channel else "model-int8.onnx")
    quantize_dynamic(str(model), str(target), weight_type=QuantType.QInt8, per_channel=per_channel)
    return target


class OnnxEmbeddings(Embeddings):
    """LangChain embeddings served by onnxruntime on the CPU."""

    def __init__(self, model: Path, tokenizer_json: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        self.session = ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(tokenizer_json))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()

    def _batch(self, texts: list[str]) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
        }
        out: np.ndarray = self.session.run(None, feed)[0]
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors of `texts`, batched by length as sentence-transformers does."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors: list[Any] = [None] * len(texts)
        for i in range(0, len(order), BATCH):
            ids = order[i : i + BATCH]
            for j, vector in zip(ids, self._batch([texts[j] for j in ids]), strict=True):
                vectors[j] = vector.tolist()
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """Vector of one query."""
        return list(self._batch([text])[0].tolist())


def corpus_sentences(sources: Path) -> list[str]:
    from assistant.ingest.sources import scan
    from assistant.ingest.sync import prepare

    return [
        f"{c.context}: {s.text}"
        for f in scan(sources)
        for c in prepare(f).chunks
        for s in c.sentences
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, default=benchlib.ROOT / "sources")
    parser.add_argument(
        "--repeat",
        type=int,
        default=8,
        help="encode the sources' sentences this many times for throughput",
    )
    parser.add_argument("--queries", type=int, default=86)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-onnx"))
    args = parser.parse_args()

    from assistant import Assistant
    from assistant.config import DEFAULT_EMBEDDING_MODEL
    from assistant.evaluation.harness import evaluate, load_questions
    from assistant.index.embeddings import load_embeddings, model_path

    folder = model_path(DEFAULT_EMBEDDING_MODEL)
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    result: dict[str, Any] = {"command": " ".join(sys.argv)}
    began = time.perf_counter()
    fp32 = export(folder, args.work)
    result["export_s"] = time.perf_counter() - began
    models = {
        "onnx-fp32": fp32,
        "onnx-int8": quantize(fp32, args.work, per_channel=False),
        "onnx-int8-per-channel": quantize(fp32, args.work, per_channel=True),
    }
    result["file_mb"] = {name: path.stat().st_size / 2**20 for name, path in models.items()}
    result["file_mb"]["pytorch"] = (folder / "model.safetensors").stat().st_size / 2**20

    backends: dict[str, Embeddings] = {"pytorch": load_embeddings(DEFAULT_EMBEDDING_MODEL)}
    for name, path in models.items():
        backends[name] = OnnxEmbeddings(path, folder / "tokenizer.json")
    sentences = corpus_sentences(args.sources)
    texts = sentences * args.repeat
    queries = (benchlib.questions_text() * 10)[: args.queries]
    questions = [q for p in benchlib.question_files() for q in load_questions(p)]
    reference = np.array(backends["pytorch"].embed_documents(sentences))
    rows: dict[str, Any] = {}
    for name, backend in backends.items():
        backend.embed_documents(sentences[:BATCH])  # warm-up
        began = time.perf_counter()
        backend.embed_documents(texts)
        seconds = time.perf_counter() - began
        vectors = np.array(backend.embed_documents(sentences))
        cosine = (vectors * reference).sum(axis=1)
        query_ms = benchlib.timed_calls(backend.embed_query, queries)
        with tempfile.TemporaryDirectory(prefix="bench-onnx-index-") as tmp:
            began = time.perf_counter()
            assistant = Assistant.open(sources=args.sources, index=Path(tmp), embeddings=backend)
            build = time.perf_counter() - began
            report = evaluate(assistant, questions, name=name)
            assistant.close()
        rows[name] = {
            "encode_sentences_per_s": len(texts) / seconds,
            "encode_s": seconds,
            "sentences": len(texts),
            "query": benchlib.latency(query_ms),
            "cosine_vs_pytorch": {"mean": float(cosine.mean()), "min": float(cosine.min())},
            "build_s": build,
            "quality": {
                k: getattr(report, k)
                for k in (
                    "accuracy",
                    "overall",
                    "hit_at_1",
                    "hit_at_5",
                    "mrr",
                    "citation_precision",
                    "abstention",
                    "false_abstention",
                    "p50_ms",
                    "p95_ms",
                )
            },
        }
        print(f"[onnx] {name}: {rows[name]}", flush=True)
    base = rows["pytorch"]["encode_sentences_per_s"]
    for row in rows.values():
        row["speedup_vs_pytorch"] = row["encode_sentences_per_s"] / base
    result["backends"] = rows
    shutil.rmtree(args.work, ignore_errors=True)
    print(f"[onnx] wrote {benchlib.save('onnx', result)}")


if __name__ == "__main__":
    main()

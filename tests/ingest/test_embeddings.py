"""The offline embedder equals an independent numpy BERT (`tests.helpers.reference_bert`),
is batch-invariant and sane."""

from __future__ import annotations

import json
import math
from pathlib import Path

import chromadb
import httpx
import numpy as np
import pytest
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings

from core.errors import Unavailable
from ingest.embeddings import ClearViewEmbeddingFunction, OpenAIEmbedder, get_embedder
from tests.helpers.reference_bert import erf, reference_embed

TEXTS = [
    "Senior Python developer: Django, PostgreSQL, REST APIs, 6 years of experience.",
    "Registered nurse with ICU experience, BLS and ACLS certified.",
    "",
    "a",
    "Café résumé naïve façade — UTF-8 text, emoji 🚀 and CJK 数据科学家.",
    "word " * 400,  # longer than 256 word pieces: truncated
    "Forklift operator, warehouse logistics, night shifts.",
]


def test_reference_erf_is_accurate() -> None:
    grid = np.linspace(-6, 6, 2001)
    assert np.max(np.abs(erf(grid) - np.array([math.erf(v) for v in grid]))) < 2e-7


def test_vectors_equal_numpy_reference() -> None:
    got = get_embedder().embed(TEXTS)
    want = reference_embed(TEXTS)
    assert got.dtype == np.float32 and got.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(got, want, atol=1e-5, rtol=0)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-6)


def test_padding_and_batching_do_not_change_vectors() -> None:
    embedder = get_embedder()
    together = embedder.embed(TEXTS)  # one batch, padded to the longest (256 tokens)
    alone = np.concatenate([embedder.embed([t]) for t in TEXTS])  # no padding at all
    np.testing.assert_allclose(together, alone, atol=1e-6, rtol=0)
    # Many copies cross batch and sort-window boundaries; each row still matches.
    many = embedder.embed(TEXTS * 11)
    np.testing.assert_allclose(many, np.tile(alone, (11, 1)), atol=1e-6, rtol=0)


def test_deterministic() -> None:
    embedder = get_embedder()
    assert np.array_equal(embedder.embed(TEXTS), embedder.embed(TEXTS))


def test_empty_inputs() -> None:
    embedder = get_embedder()
    assert embedder.embed([]).shape == (0, 384)
    # An empty text is a valid input ([CLS] [SEP]), as in sentence-transformers; whitespace
    # normalises to the same tokens.
    empty, blank = embedder.embed(["", "   \n"])
    assert abs(float(np.linalg.norm(empty)) - 1.0) < 1e-6
    np.testing.assert_allclose(empty, blank, atol=1e-6)
    with pytest.raises(TypeError):
        embedder.embed("not a list")  # a bare string would embed each character


def test_semantic_sanity() -> None:
    resume, python_job, nursing_job = get_embedder().embed(
        [
            "Backend engineer, 5 years of Python, Django and FastAPI, PostgreSQL, Docker, AWS.",
            "We are hiring a Python developer to build REST APIs with Django and PostgreSQL.",
            "Hospital seeks a registered nurse for the intensive care unit, night shifts.",
        ]
    )
    assert float(resume @ python_job) > float(resume @ nursing_job) + 0.2


def test_embedder_is_cached_per_process() -> None:
    assert get_embedder() is get_embedder()
    assert get_embedder().name == "all-MiniLM-L6-v2"


def test_onnx_model_is_cached_on_disk(isolated_settings: Path) -> None:
    from ingest.onnx_minilm import ensure_onnx_model

    cache = isolated_settings / "models"
    first = ensure_onnx_model(cache)
    mtime = first.stat().st_mtime_ns
    assert ensure_onnx_model(cache) == first and first.stat().st_mtime_ns == mtime
    assert [p.name for p in cache.iterdir()] == [first.name]  # no temporary leftovers


def test_onnx_cache_is_safe_when_builds_race(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import onnxruntime

    from ingest.onnx_minilm import ensure_onnx_model

    with ThreadPoolExecutor(2) as pool:
        paths = set(pool.map(ensure_onnx_model, [tmp_path, tmp_path]))
    assert len(paths) == 1 and [p.name for p in tmp_path.iterdir()] == [paths.pop().name]
    onnxruntime.InferenceSession(str(next(tmp_path.iterdir())))  # a whole, loadable file


def test_chroma_function_round_trips_through_collection_config(tmp_path: Path) -> None:
    path = str(tmp_path / "chroma")
    first = chromadb.PersistentClient(
        path=path, settings=ChromaSettings(anonymized_telemetry=False)
    )
    created = first.create_collection(
        "roundtrip",
        embedding_function=ClearViewEmbeddingFunction(),  # type: ignore[arg-type]
        configuration={"hnsw": {"space": "cosine"}},
    )
    created.add(ids=["py", "rn"], documents=[TEXTS[0], TEXTS[1]])
    SharedSystemClient.clear_system_cache()

    # A new client given no embedding function rebuilds ours from the stored config.
    reopened = chromadb.PersistentClient(
        path=path, settings=ChromaSettings(anonymized_telemetry=False)
    ).get_collection("roundtrip")
    assert isinstance(reopened.configuration["embedding_function"], ClearViewEmbeddingFunction)
    stored = reopened.get(ids=["py"], include=["embeddings"])["embeddings"]
    assert stored is not None
    np.testing.assert_allclose(stored[0], get_embedder().embed([TEXTS[0]])[0], atol=1e-6)
    hits = reopened.query(query_texts=["Python Django developer"], n_results=1)
    assert hits["ids"] == [["py"]]


def test_chroma_function_refuses_a_different_model() -> None:
    function = ClearViewEmbeddingFunction.build_from_config({"model": "openai:other"})
    with pytest.raises(ValueError, match="re-index"):
        function(["text"])


def _fake_openai(request: httpx.Request) -> httpx.Response:
    """The paid hosted endpoint is the one true edge we fake: a deterministic toy model."""
    body = json.loads(request.content)
    assert request.headers["authorization"] == "Bearer k"
    assert body["model"] == "m" and all(body["input"])  # empty texts never reach the API
    data = [
        {"index": i, "embedding": [float(len(text)), 3.0, 4.0]}
        for i, text in enumerate(body["input"])
    ]
    return httpx.Response(200, json={"data": list(reversed(data)), "model": "m"})


def test_openai_compatible_backend() -> None:
    embedder = OpenAIEmbedder(
        "http://embeddings.test/v1", "m", "k", transport=httpx.MockTransport(_fake_openai)
    )
    texts = ["abcd", "", *(["x"] * 200)]  # more than one request's worth
    vectors = embedder.embed(texts)
    assert embedder.name == "openai:m" and embedder.dim == 3 and vectors.shape == (202, 3)
    np.testing.assert_allclose(vectors[0], np.array([4.0, 3.0, 4.0]) / math.sqrt(41), atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


def test_openai_backend_errors_say_what_to_fix() -> None:
    failing = httpx.MockTransport(lambda request: httpx.Response(401, json={"error": "bad key"}))
    embedder = OpenAIEmbedder("http://embeddings.test/v1", "m", "k", transport=failing)
    with pytest.raises(Unavailable, match="API key"):
        embedder.embed(["x"])

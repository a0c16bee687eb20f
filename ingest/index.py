"""The Chroma vector index: one collection of jobs, one of resumes, with tenant and consent
metadata so that filters run inside the vector query, never after it.

Embedded (`PersistentClient` under the data dir) or a Chroma server (`HttpClient`), chosen by
`CLEARVIEW_CHROMA`. The methods are synchronous (Chroma's client is); async callers wrap them
in `asyncio.to_thread`.

Vectors are computed by our `Embedder` and passed to Chroma explicitly rather than left to
the collection's embedding function: we batch by length (much less padding), the caller can
reuse a vector it already has (a query resume's vector also feeds the matcher's score), and
no text has to cross to the Chroma server. The registered `ClearViewEmbeddingFunction` is
still attached to the collections, so other tools opening them get working `query_texts`.

Chroma stores no document text here, only ids, vectors and metadata: resumes are personal
data, and the SQL database is their one home (erasure then has one place less to miss).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings

from core.settings import ConfigError, Settings, get_settings
from ingest.embeddings import ClearViewEmbeddingFunction, Embedder, get_embedder

Kind = Literal["jobs", "resumes"]
JOBS: Kind = "jobs"
RESUMES: Kind = "resumes"
# Items embedded and written per Chroma call: large enough that per-call overhead vanishes,
# small enough to stay far below Chroma's max batch size and keep memory flat.
UPSERT_BATCH = 1024
# Chroma's HNSW settings per collection; cosine because our vectors are unit length and we
# report similarity = 1 - cosine distance.
HNSW_CONFIGURATION: dict[str, Any] = {"hnsw": {"space": "cosine"}}

Where = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class JobDoc:
    """A job as indexed: its text to embed (or a ready vector) and its filter metadata."""

    job_id: str
    org_id: str
    text: str
    published: bool = True
    remote: bool = False
    location: str | None = None
    embedding: np.ndarray | None = None

    def metadata(self) -> dict[str, str | bool]:
        # Chroma metadata values cannot be None; "" means "no location".
        return {
            "org_id": self.org_id,
            "job_id": self.job_id,
            "published": self.published,
            "remote": self.remote,
            "location": self.location or "",
        }


@dataclass(frozen=True, slots=True)
class ResumeDoc:
    """One resume (its current version) as indexed; vector id = resume_id."""

    resume_id: str
    candidate_id: str
    org_id: str
    version_id: str
    text: str
    open_to_employers: bool = False
    embedding: np.ndarray | None = None

    def metadata(self) -> dict[str, str | bool]:
        return {
            "org_id": self.org_id,
            "candidate_id": self.candidate_id,
            "resume_id": self.resume_id,
            "version_id": self.version_id,
            "open_to_employers": self.open_to_employers,
        }


def where_clause(filters: Where | None) -> dict[str, Any] | None:
    """Chroma's `where` from simple equality filters.

    `{"org_id": "o1", "open_to_employers": True}` becomes an `$and` of equalities (Chroma
    takes one key per clause); a filter already in Chroma's operator form passes through.
    """
    if not filters:
        return None
    if len(filters) == 1 or any(key.startswith("$") for key in filters):
        return dict(filters)
    return {"$and": [{key: value} for key, value in filters.items()]}


class VectorIndex:
    """Jobs and resumes in Chroma; similarities are cosine, in [-1, 1], higher is closer."""

    def __init__(self, client: ClientAPI, embedder: Embedder | None = None) -> None:
        self._client = client
        self._embedder = embedder or get_embedder()
        function = ClearViewEmbeddingFunction(self._embedder.name)
        self._collections: dict[str, Collection] = {}
        for name in (JOBS, RESUMES):
            collection = client.get_or_create_collection(
                name,
                configuration=HNSW_CONFIGURATION,  # type: ignore[arg-type]
                embedding_function=function,  # type: ignore[arg-type]
            )
            _refuse_other_model(collection, self._embedder.name)
            self._collections[name] = collection
        # Chroma's embedded client is thread-safe for reads; serialising our writes keeps
        # a visibility flip (read ids, then update) from interleaving with an erasure.
        self._write_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> VectorIndex:
        return cls(make_client(settings or get_settings()))

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def collection(self, kind: Kind) -> Collection:
        """The Chroma collection of `kind`, for callers that need more than ids and
        similarities from one query (the matcher reads metadata in the same call)."""
        return self._collections[kind]

    # -- writes -----------------------------------------------------------------------

    def upsert_jobs(self, items: Sequence[JobDoc]) -> int:
        """Insert or replace jobs by job_id; returns how many were written."""
        return self._upsert(JOBS, items, [item.job_id for item in items])

    def upsert_resumes(self, items: Sequence[ResumeDoc]) -> int:
        """Insert or replace resumes by resume_id (a new version replaces the old vector)."""
        return self._upsert(RESUMES, items, [item.resume_id for item in items])

    def _upsert(self, kind: Kind, items: Sequence[JobDoc | ResumeDoc], ids: list[str]) -> int:
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate ids in one {kind} upsert; each item must be unique")
        collection = self._collections[kind]
        for start in range(0, len(items), UPSERT_BATCH):
            batch = items[start : start + UPSERT_BATCH]
            vectors = self._vectors(batch)
            with self._write_lock:
                collection.upsert(
                    ids=ids[start : start + UPSERT_BATCH],
                    embeddings=vectors,
                    metadatas=[item.metadata() for item in batch],
                )
        return len(items)

    def _vectors(self, batch: Sequence[JobDoc | ResumeDoc]) -> np.ndarray:
        """Given vectors are kept; the rest are embedded together in one call."""
        missing = [i for i, item in enumerate(batch) if item.embedding is None]
        vectors = np.empty((len(batch), self._embedder.dim), dtype=np.float32)
        if missing:
            vectors[missing] = self._embedder.embed([batch[i].text for i in missing])
        for i, item in enumerate(batch):
            if item.embedding is not None:
                vectors[i] = item.embedding
        return vectors

    def delete_job(self, job_id: str) -> None:
        with self._write_lock:
            self._collections[JOBS].delete(ids=[job_id])

    def delete_resume(self, resume_id: str) -> None:
        with self._write_lock:
            self._collections[RESUMES].delete(ids=[resume_id])

    def delete_candidate(self, candidate_id: str) -> None:
        """Erasure: every vector of this candidate, whatever resume it belongs to."""
        with self._write_lock:
            self._collections[RESUMES].delete(where={"candidate_id": candidate_id})

    def set_candidate_visibility(self, candidate_id: str, open_to_employers: bool) -> int:
        """Opt a candidate's resumes in or out of employer search; returns vectors changed."""
        collection = self._collections[RESUMES]
        with self._write_lock:
            ids = collection.get(where={"candidate_id": candidate_id}, include=[])["ids"]
            if ids:
                # Chroma merges updated metadata keys into the stored ones.
                collection.update(
                    ids=ids, metadatas=[{"open_to_employers": open_to_employers}] * len(ids)
                )
        return len(ids)

    # -- reads ------------------------------------------------------------------------

    def query_jobs(
        self, vector: np.ndarray, n: int, where: Where | None = None
    ) -> list[tuple[str, float]]:
        """Nearest jobs as (job_id, similarity), best first; `where` filters inside the query."""
        return self._query(JOBS, vector, n, where)

    def query_resumes(
        self, vector: np.ndarray, n: int, where: Where | None = None
    ) -> list[tuple[str, float]]:
        """Nearest resumes as (resume_id, similarity); employer search passes
        `{"open_to_employers": True}` so opted-out candidates never enter the pool."""
        return self._query(RESUMES, vector, n, where)

    def _query(
        self, kind: Kind, vector: np.ndarray, n: int, where: Where | None
    ) -> list[tuple[str, float]]:
        if n < 1:
            raise ValueError("n must be at least 1")
        result = self._collections[kind].query(
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
            n_results=n,
            where=where_clause(where),
            include=["distances"],
        )
        distances = result["distances"]
        assert distances is not None
        return [
            (item_id, 1.0 - float(distance))
            for item_id, distance in zip(result["ids"][0], distances[0], strict=True)
        ]

    def metadata(self, kind: Kind, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Stored metadata by id (ids not in the index are absent)."""
        if not ids:
            return {}
        got = self._collections[kind].get(ids=list(ids), include=["metadatas"])
        metadatas = got["metadatas"] or []
        return {
            item_id: dict(meta or {}) for item_id, meta in zip(got["ids"], metadatas, strict=True)
        }

    def count(self, kind: Kind, where: Where | None = None) -> int:
        collection = self._collections[kind]
        clause = where_clause(where)
        if clause is None:
            return collection.count()
        return len(collection.get(where=clause, include=[])["ids"])


def _refuse_other_model(collection: Collection, model: str) -> None:
    stored = (collection.configuration_json or {}).get("embedding_function") or {}
    stored_model = (stored.get("config") or {}).get("model")
    if stored_model is not None and stored_model != model:
        raise ConfigError(
            f"the Chroma collection {collection.name!r} holds {stored_model} vectors but "
            f"settings select {model}; restore the embeddings settings, or re-index: point "
            "CLEARVIEW_CHROMA at a fresh location and run `clearview index rebuild --all`"
        )


def make_client(settings: Settings) -> ClientAPI:
    """An embedded or server Chroma client for `settings.chroma_location`, telemetry off."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_is_server:
        url = urlsplit(settings.chroma_location)
        if not url.hostname:
            raise ConfigError(f"CLEARVIEW_CHROMA: no host in {settings.chroma_location!r}")
        ssl = url.scheme == "https"
        return chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if ssl else 8000),
            ssl=ssl,
            settings=chroma_settings,
        )
    return chromadb.PersistentClient(path=settings.chroma_location, settings=chroma_settings)


def scrub_embedded_store(settings: Settings | None = None) -> None:
    """Rewrite the embedded Chroma's SQLite file without the pages deleted records leave
    behind (an erased person's metadata would otherwise stay readable in the file until
    the space is reused). A no-op for a Chroma server, whose operator owns its storage."""
    settings = settings or get_settings()
    if settings.chroma_is_server:
        return
    path = Path(settings.chroma_location) / "chroma.sqlite3"
    if path.is_file():
        vacuum_sqlite(path, _SUPERSEDED_BY_DELETE)


# Chroma's own write-ahead log (`embeddings_queue`) keeps every add/update of a record,
# metadata included, until it compacts. An entry followed by a delete of the same record
# changes nothing any more (a segment that replays the log ends with the record deleted
# either way), so it can go at once. Operation 3 is Chroma's DELETE.
_SUPERSEDED_BY_DELETE = """
DELETE FROM embeddings_queue WHERE operation != 3 AND EXISTS (
    SELECT 1 FROM embeddings_queue AS later
    WHERE later.topic = embeddings_queue.topic AND later.id = embeddings_queue.id
      AND later.operation = 3 AND later.seq_id > embeddings_queue.seq_id)
"""


def vacuum_sqlite(path: Path, *statements: str) -> None:
    """Run `statements`, then VACUUM a SQLite file and empty its write-ahead log (which
    holds old page images)."""
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        for statement in statements:
            connection.execute(statement)
        connection.execute("VACUUM")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


# Services open the index from worker threads at start-up (the tasks worker and the
# re-index check at once): Chroma's embedded client is not safe to construct twice in
# parallel for one path (it failed with KeyError / "no attribute 'bindings'"), so the
# first caller builds it and the others wait for that one.
_build_lock = threading.Lock()


@lru_cache(maxsize=1)
def _cached_index() -> VectorIndex:
    return VectorIndex.from_settings()


def get_index() -> VectorIndex:
    """The process-wide index for the configured Chroma (built on first use)."""
    with _build_lock:
        return _cached_index()


def reset_index_cache() -> None:
    """Forget the cached index and Chroma's per-path embedded clients (tests switch dirs)."""
    with _build_lock:
        _cached_index.cache_clear()
        SharedSystemClient.clear_system_cache()

"""Features and embeddings of the resumes and jobs an alert batch scores.

Both were computed by the matcher when the resume was uploaded and the job indexed
(`api.matching.indexing`), and are stored in the vector index's metadata: they are read
from there, not computed again. A resume version's are also kept in memory (`ResumeCache`,
keyed by version id: a version never changes), so the next batch of jobs reads nothing
for the candidates it saw before. An item the index lacks (indexing lagging, or an old
features version) is featurised here exactly as the indexer does.

Blocking (Chroma, CPU): run in a thread.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from api.alerts.repository import AlertCandidate
from api.alerts.scoring import JobInput, ResumeInput
from api.matching.features import (
    FEATURES_VERSION,
    JobFeatures,
    JobSnapshot,
    ResumeFeatures,
    prepare_resume,
    snapshot_features,
)
from api.matching.indexing import FEATURES_KEY
from core.batches import chunks
from ingest.index import JOBS, RESUMES, Kind, VectorIndex

# Resume versions kept in memory: ~10 KB each for real resumes.
CACHE_SIZE = 50_000
# Ids per Chroma `get`.
GET_BATCH = 1000


class ResumeCache:
    """Resume versions already read or featurised, least recently used out first."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, ResumeInput] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, version_id: str) -> ResumeInput | None:
        with self._lock:
            item = self._items.get(version_id)
            if item is not None:
                self._items.move_to_end(version_id)
            return item

    def put(self, version_id: str, item: ResumeInput) -> None:
        with self._lock:
            self._items[version_id] = item
            self._items.move_to_end(version_id)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


resume_cache = ResumeCache()


def _indexed(index: VectorIndex, kind: Kind, ids: Sequence[str]) -> dict[str, tuple[Any, Any]]:
    """(metadata, embedding) of the ids the index holds with current-version features."""
    found: dict[str, tuple[Any, Any]] = {}
    for part in chunks(list(ids), GET_BATCH):
        got = index.collection(kind).get(ids=list(part), include=["embeddings", "metadatas"])
        embeddings = got["embeddings"] if got["embeddings"] is not None else []
        for item_id, meta, vector in zip(
            got["ids"], got["metadatas"] or [], embeddings, strict=True
        ):
            if meta and meta.get("features_version") == FEATURES_VERSION:
                found[item_id] = (meta, vector)
    return found


def cached_resumes(
    candidates: Sequence[AlertCandidate], index: VectorIndex
) -> tuple[dict[str, ResumeInput], list[str]]:
    """The candidates' current resume versions from memory or the index; and the version
    ids found in neither (featurise them with `featurise_resumes`)."""
    found: dict[str, ResumeInput] = {}
    wanted: dict[str, AlertCandidate] = {}
    for candidate in candidates:
        item = resume_cache.get(candidate.version_id)
        if item is not None:
            found[candidate.version_id] = item
        else:
            wanted[candidate.resume_id] = candidate
    for resume_id, (meta, vector) in _indexed(index, RESUMES, list(wanted)).items():
        version_id = wanted[resume_id].version_id
        raw = meta.get(FEATURES_KEY)
        if meta.get("version_id") != version_id or not isinstance(raw, str):
            continue  # the index holds another version: featurise this one
        item = ResumeInput(ResumeFeatures.from_json(raw), np.asarray(vector, dtype=np.float32))
        resume_cache.put(version_id, item)
        found[version_id] = item
    missing = sorted({c.version_id for c in candidates} - set(found))
    return found, missing


def featurise_resumes(texts: dict[str, str], index: VectorIndex) -> dict[str, ResumeInput]:
    """Resume versions featurised and embedded as the indexer does (`index_resume_sync`)."""
    if not texts:
        return {}
    version_ids = sorted(texts)
    prepared = [prepare_resume(texts[version_id]) for version_id in version_ids]
    vectors = index.embedder.embed([p.embed_text for p in prepared])
    out = {}
    for version_id, item, vector in zip(version_ids, prepared, vectors, strict=True):
        out[version_id] = ResumeInput(item.features, np.asarray(vector, dtype=np.float32))
        resume_cache.put(version_id, out[version_id])
    return out


def job_inputs(snapshots: Sequence[JobSnapshot], index: VectorIndex) -> list[JobInput]:
    """The jobs' features and embeddings from the index; featurised here when missing."""
    indexed = _indexed(index, JOBS, [s.job_id for s in snapshots])
    missing = [
        s
        for s in snapshots
        if not isinstance(indexed.get(s.job_id, ({}, None))[0].get(FEATURES_KEY), str)
    ]
    vectors: Any = index.embedder.embed([s.text for s in missing]) if missing else []
    computed = {
        s.job_id: (snapshot_features(s), np.asarray(v, dtype=np.float32))
        for s, v in zip(missing, vectors, strict=True)
    }
    out = []
    for snapshot in snapshots:
        if snapshot.job_id in computed:
            features, vector = computed[snapshot.job_id]
        else:
            meta, raw_vector = indexed[snapshot.job_id]
            features = JobFeatures.from_json(meta[FEATURES_KEY])
            vector = np.asarray(raw_vector, dtype=np.float32)
        out.append(
            JobInput(
                snapshot.job_id,
                features,
                vector,
                snapshot.location,
                snapshot.remote,
                snapshot.title,
            )
        )
    return out

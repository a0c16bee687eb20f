"""Career knowledge: what an occupation involves and what it takes, from O*NET and ESCO,
retrieved from Chroma.

The data (`ingest/data/careers.json.gz`, built by `scripts/build_careers.py`, attribution
in `ingest/data/ATTRIBUTION.md`) holds every ESCO occupation (description, alternative
labels, essential and optional skills) and every O*NET occupation (description, alternate
titles, technology skills with their Hot Technology and In Demand flags, related
occupations).

Finding the occupation a question names is a lookup first: a phrase that is a known title
as a whole (`ingest.occupations`: ESCO's labels and O*NET's alternate titles) names its
occupation exactly. Anything else ("nurce", "someone who fixes teeth", a title in another
wording) goes to dense search over the occupations' titles in a Chroma collection of its
own, built once per Chroma store from the shipped data and kept there (`CareerIndex`).
"""

from __future__ import annotations

import difflib
import gzip
import hashlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection

from ingest.embeddings import ClearViewEmbeddingFunction, Embedder
from ingest.occupations import get_occupations, title_key, title_words

log = logging.getLogger(__name__)

CAREERS_PATH = Path(__file__).resolve().parent / "data" / "careers.json.gz"
# The documents' vectors from the bundled embedding model, int8 (`write_vectors`): a
# fresh store fills its collection from them in a second, where embedding the ~4,000
# titles took 40 s of CPU on both cores (minutes on a busy machine, in every new data
# dir a test starts).
VECTORS_PATH = CAREERS_PATH.with_name("careers_vectors.npz")

# The attribution lines each source asks for, shown with every answer drawn from it.
ESCO_SOURCE = "ESCO v1.1.1"
ESCO_ATTRIBUTION = "This service uses the ESCO classification of the European Commission."
ONET_SOURCE = "O*NET 29.2"
ONET_ATTRIBUTION = (
    "This product includes information from the O*NET 29.2 Database by the U.S. Department "
    "of Labor, Employment and Training Administration (USDOL/ETA), used under CC BY 4.0. "
    "O*NET is a trademark of USDOL/ETA."
)

COLLECTION = "career_knowledge"
# Occupation titles embedded and written per Chroma call: small, so a stop asked for
# during a build waits at most one batch.
INDEX_BATCH = 64
# Cosine similarity of a question's occupation phrase to an occupation's titles from which
# dense search names it; below, the assistant says it does not know the occupation. Read
# on a few dozen phrasings: "someone who cleans teeth" / dental hygienist 0.51, "person
# who fixes pipes" / plumbers 0.52, "coder" / software developers 0.33 (no), unrelated
# phrases below 0.2. Once one source names it, the other's nearest occupation is taken
# from MIN_COMPANION: the two word the same work differently (0.62 and 0.46 for "teeth
# cleaning hygiene specialist").
MIN_SIMILARITY = 0.5
MIN_COMPANION = 0.4


@dataclass(frozen=True, slots=True)
class EscoOccupation:
    uri_id: str
    label: str
    description: str
    alt_titles: tuple[str, ...]
    essential_skills: tuple[str, ...]
    optional_skills: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Technology:
    name: str
    hot: bool  # O*NET's Hot Technology flag: often named in job postings
    in_demand: bool  # O*NET's In Demand flag: often named in this occupation's postings


@dataclass(frozen=True, slots=True)
class OnetOccupation:
    code: str
    title: str
    description: str
    alt_titles: tuple[str, ...]
    technology: tuple[Technology, ...]
    related: tuple[str, ...]  # O*NET-SOC codes, closest first


@dataclass(frozen=True, slots=True)
class Found:
    """The occupations a phrase names, and how they were found."""

    phrase: str
    esco: EscoOccupation | None
    onet: OnetOccupation | None
    # "title": a known title; "search": dense search over titles; "title within": the
    # longest known title inside the phrase, while the index is still being built
    how: str
    similarity: float = 1.0


class CareerKnowledge:
    def __init__(self, data: dict[str, Any]) -> None:
        skills: list[str] = data["skills"]
        self.esco = {
            uri: EscoOccupation(
                uri,
                label,
                description,
                tuple(alts),
                tuple(skills[i] for i in essential),
                tuple(skills[i] for i in optional),
            )
            for uri, (label, description, alts, essential, optional) in data["esco"].items()
        }
        self.onet = {
            code: OnetOccupation(
                code,
                title,
                description,
                tuple(alts),
                tuple(Technology(name, bool(hot), bool(demand)) for name, hot, demand in tech),
                tuple(related),
            )
            for code, (title, description, alts, tech, related) in data["onet"].items()
        }
        self._words: Counter[str] | None = None
        self._essential = {uri: frozenset(o.essential_skills) for uri, o in self.esco.items()}
        # A title several O*NET occupations list -> the one it names (build_careers).
        self.onet_choices: dict[str, str] = data.get("onet_choices", {})

    def shared_essential_skills(self, a: str, b: str) -> tuple[int, float]:
        """How many essential skills two ESCO occupations (by URI id) share, and that
        count's share of the skills either needs (Jaccard): healthcare institution
        manager and general nurse share 3 (0.03), software developer and nurse none."""
        mine, theirs = self._essential.get(a, frozenset()), self._essential.get(b, frozenset())
        both = len(mine & theirs)
        return both, (both / len(mine | theirs) if both else 0.0)

    def documents(self) -> list[tuple[str, str]]:
        """(id, text to embed) per occupation: its titles, which is what people name."""
        docs = [
            (f"esco:{o.uri_id}", "; ".join((o.label, *o.alt_titles))) for o in self.esco.values()
        ]
        docs += [
            (f"onet:{o.code}", "; ".join((o.title, *o.alt_titles))) for o in self.onet.values()
        ]
        return docs

    def by_doc_id(self, doc_id: str) -> EscoOccupation | OnetOccupation | None:
        kind, _, key = doc_id.partition(":")
        return self.esco.get(key) if kind == "esco" else self.onet.get(key)

    @property
    def words(self) -> Counter[str]:
        """How many occupation titles use each word, for typo correction."""
        if self._words is None:
            titles = [t for o in self.esco.values() for t in (o.label, *o.alt_titles)]
            titles += [t for o in self.onet.values() for t in (o.title, *o.alt_titles)]
            self._words = Counter(w for t in titles for w in title_words(t))
        return self._words

    def spelled(self, phrase: str) -> str:
        """`phrase` with words no title has replaced by the closest title word ("nurce"
        -> "nurse"); short words and known words are kept."""
        fixed = []
        for word in title_words(phrase):
            if len(word) >= 4 and word not in self.words:
                # Of the near spellings, the commonest title word ("analist" -> "analyst",
                # not "anglist").
                close = difflib.get_close_matches(word, self.words, n=3, cutoff=0.8)
                word = max(close, key=self.words.__getitem__) if close else word
            fixed.append(word)
        return " ".join(fixed)

    def by_title(self, phrase: str, *, whole: bool = True) -> Found | None:
        """The occupations a known title names, when the whole phrase is one (or, with
        `whole=False`, the longest known title inside it: "night shift staff nurse")."""
        titles = get_occupations()
        if not title_key(phrase) or (whole and not titles.is_title(phrase)):
            return None
        link = titles.link(phrase)
        esco = self.esco.get(link.occupation.uri_id) if link else None
        onet = None
        key = title_key(phrase)
        found = titles.onet_link(phrase)
        # O*NET's title must be the whole phrase (or, within it, its head: its last
        # words), never a word inside it ("care assistant" is not "assistant").
        if found is not None and (found[0] == key or (not whole and key.endswith(found[0]))):
            onet = self.onet.get(self.onet_choices.get(found[0], found[1]))
        if esco is None and onet is None:
            return None
        return Found(phrase, esco, onet, "title" if whole else "title within")


@lru_cache(maxsize=1)
def get_careers() -> CareerKnowledge:
    """The shipped career knowledge, loaded once per process."""
    with gzip.open(CAREERS_PATH, "rt", encoding="utf-8") as handle:
        return CareerKnowledge(json.load(handle))


def _digest(docs: Sequence[tuple[str, str]]) -> str:
    return hashlib.sha256("\n".join(f"{i}\t{t}" for i, t in docs).encode()).hexdigest()[:16]


def write_vectors(embedder: Embedder, path: Path = VECTORS_PATH) -> None:
    """Embed the shipped documents and keep their vectors beside the data
    (`scripts/build_careers.py`)."""
    docs = get_careers().documents()
    vectors = embedder.embed([text for _, text in docs])
    np.savez_compressed(
        path,
        vectors=np.round(vectors * 127).astype(np.int8),
        documents=np.array(_digest(docs)),
        embedder=np.array(embedder.name),
    )


def shipped_vectors(
    embedder: Embedder, docs: Sequence[tuple[str, str]], path: Path = VECTORS_PATH
) -> np.ndarray | None:
    """The vectors of `docs`, unit length again, when they were shipped for exactly these
    documents and this model; None otherwise (then the documents are embedded)."""
    if not path.exists():
        return None
    with np.load(path) as shipped:
        if str(shipped["documents"]) != _digest(docs) or str(shipped["embedder"]) != embedder.name:
            return None
        vectors = shipped["vectors"].astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@lru_cache(maxsize=1)
def data_version() -> str:
    """A digest of the shipped data and of the embedding: an index built from other data
    is rebuilt."""
    return hashlib.sha256(CAREERS_PATH.read_bytes()).hexdigest()[:16]


class CareerIndex:
    """The occupations' titles in a Chroma collection of their own (no personal data)."""

    def __init__(
        self, client: ClientAPI, embedder: Embedder, knowledge: CareerKnowledge | None = None
    ) -> None:
        self._client = client
        self._embedder = embedder
        self.knowledge = knowledge or get_careers()
        self._lock = threading.Lock()
        self._collection: Collection | None = None

    def ensure(self, stop: threading.Event | None = None) -> Collection | None:
        """The collection, built on first use (about 4,000 short texts) and kept in the
        Chroma store: later processes find it there and build nothing. None when `stop`
        was set during the build (what was written stays; the next build completes it)."""
        with self._lock:
            if self._collection is not None:
                return self._collection
            version = f"{data_version()}:{self._embedder.name}"
            collection = self._open()
            if (collection.metadata or {}).get("version") != version:
                self._client.delete_collection(COLLECTION)
                collection = self._open(version)
            docs = self.knowledge.documents()
            if collection.count() != len(docs):
                started = time.perf_counter()
                if not self._fill(collection, docs, stop):
                    return None
                log.info(
                    "career knowledge index: %d occupations indexed in %.0f s",
                    len(docs),
                    time.perf_counter() - started,
                )
            self._collection = collection
            return collection

    def _open(self, version: str | None = None) -> Collection:
        return self._client.get_or_create_collection(
            COLLECTION,
            metadata={"version": version} if version else None,
            configuration={"hnsw": {"space": "cosine"}},
            embedding_function=ClearViewEmbeddingFunction(self._embedder.name),  # type: ignore[arg-type]
        )

    def _fill(
        self,
        collection: Collection,
        docs: Sequence[tuple[str, str]],
        stop: threading.Event | None,
    ) -> bool:
        """Write every document; False when `stop` was set before the end."""
        shipped = shipped_vectors(self._embedder, docs)
        for start in range(0, len(docs), INDEX_BATCH):
            if stop is not None and stop.is_set():
                return False
            batch = docs[start : start + INDEX_BATCH]
            collection.upsert(
                ids=[doc_id for doc_id, _ in batch],
                embeddings=(
                    shipped[start : start + INDEX_BATCH]
                    if shipped is not None
                    else self._embedder.embed([text for _, text in batch])
                ),
                metadatas=[{"kind": doc_id.split(":", 1)[0]} for doc_id, _ in batch],
            )
        return True

    def building(self) -> bool:
        """True while another thread builds the collection."""
        if self._collection is not None or not self._lock.acquire(blocking=False):
            return self._collection is None
        self._lock.release()
        return False

    def search(self, phrase: str, n: int = 5, kind: str | None = None) -> list[tuple[str, float]]:
        """Nearest occupations as (doc id, similarity), best first; `kind` "esco" or
        "onet" keeps one source."""
        vector = self._embedder.embed([phrase])[0]
        collection = self.ensure()
        assert collection is not None  # no stop asked: the build ran to its end
        result = collection.query(
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
            n_results=n,
            where={"kind": kind} if kind else None,
            include=["distances"],
        )
        distances = result["distances"]
        assert distances is not None
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], distances[0], strict=True)]

    def _nearest_onet(self, esco: EscoOccupation) -> OnetOccupation | None:
        text = "; ".join((esco.label, *esco.alt_titles))
        hits = self.search(text, n=1, kind="onet")
        if not hits or hits[0][1] < MIN_SIMILARITY:
            return None
        found = self.knowledge.by_doc_id(hits[0][0])
        return found if isinstance(found, OnetOccupation) else None

    def find(self, phrase: str) -> Found | None:
        """The occupations `phrase` names: a known title first, else the nearest titles
        (the best ESCO and the best O*NET occupation near enough to trust)."""
        spelled = self.knowledge.spelled(phrase)
        exact = self.knowledge.by_title(phrase) or (
            self.knowledge.by_title(spelled) if spelled != title_key(phrase) else None
        )
        if exact is not None:
            if exact.onet is None and exact.esco is not None and not self.building():
                # ESCO knows the title, O*NET words it otherwise ("care assistant"):
                # its nearest occupation to ESCO's, when near enough.
                return replace(exact, onet=self._nearest_onet(exact.esco))
            return exact
        if self.building():
            # The first minutes after a fresh start: answer from the titles rather than
            # keep the question waiting for the whole index.
            return self.knowledge.by_title(spelled or phrase, whole=False)
        hits = [h for h in self.search(spelled or phrase, n=8) if h[1] >= MIN_COMPANION]
        if not hits or hits[0][1] < MIN_SIMILARITY:
            return None
        esco = next((h for h in hits if h[0].startswith("esco:")), None)
        onet = next((h for h in hits if h[0].startswith("onet:")), None)
        found_esco = self.knowledge.by_doc_id(esco[0]) if esco else None
        found_onet = self.knowledge.by_doc_id(onet[0]) if onet else None
        assert found_esco is None or isinstance(found_esco, EscoOccupation)
        assert found_onet is None or isinstance(found_onet, OnetOccupation)
        return Found(phrase, found_esco, found_onet, "search", hits[0][1])

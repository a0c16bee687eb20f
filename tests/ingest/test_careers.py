"""Career knowledge: known titles are looked up exactly (typos corrected), other phrasings
go to dense search in a real embedded Chroma, and the index is built once per store."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
import pytest
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings

from ingest.careers import (
    CAREERS_PATH,
    CareerIndex,
    CareerKnowledge,
    get_careers,
    shipped_vectors,
)
from ingest.embeddings import Embedder, get_embedder

# Occupations of the small index these tests build (the whole one takes minutes on a
# busy machine); dense search must find the right one among them.
ESCO_LABELS = {
    "dental hygienist",
    "nurse responsible for general care",
    "software developer",
    "plumber",
    "data analyst",
    "bus driver",
    "chef",
    "accountant",
}
ONET_TITLES = {
    "Dental Hygienists",
    "Registered Nurses",
    "Software Developers",
    "Plumbers, Pipefitters, and Steamfitters",
    "Bus Drivers, Transit and Intercity",
    "Chefs and Head Cooks",
    "Accountants and Auditors",
}


class CountingEmbedder:
    """The real embedder, counting the texts it embeds."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.embedded = 0

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def name(self) -> str:
        return self.inner.name

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        return self.inner.embed(texts)


class GatedEmbedder(CountingEmbedder):
    """The real embedder, held at its first call until the test lets it go."""

    def __init__(self, inner: Embedder) -> None:
        super().__init__(inner)
        self.started = threading.Event()
        self.go = threading.Event()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.started.set()
        assert self.go.wait(timeout=300)
        return super().embed(texts)


@pytest.fixture(scope="module")
def small_knowledge() -> CareerKnowledge:
    with gzip.open(CAREERS_PATH, "rt", encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    data["esco"] = {k: v for k, v in data["esco"].items() if v[0] in ESCO_LABELS}
    data["onet"] = {k: v for k, v in data["onet"].items() if v[0] in ONET_TITLES}
    assert len(data["esco"]) == len(ESCO_LABELS) and len(data["onet"]) == len(ONET_TITLES)
    return CareerKnowledge(data)


def _client(path: Path) -> ClientAPI:
    return chromadb.PersistentClient(
        path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
    )


def test_a_known_title_names_both_sources_without_an_index() -> None:
    found = get_careers().by_title("Registered Nurse")
    assert found is not None and found.how == "title"
    assert found.esco is not None and found.esco.label == "nurse responsible for general care"
    assert found.onet is not None and found.onet.title == "Registered Nurses"
    assert found.esco.essential_skills and found.onet.technology


def test_a_misspelt_title_is_corrected_to_the_commonest_title_word() -> None:
    knowledge = get_careers()
    assert knowledge.spelled("data analist") == "data analyst"
    assert knowledge.spelled("electrishan") == "electrician"
    assert knowledge.by_title("nurce") is None


def test_dense_search_finds_an_occupation_in_other_words(
    small_knowledge: CareerKnowledge, tmp_path: Path
) -> None:
    index = CareerIndex(_client(tmp_path), get_embedder(), small_knowledge)
    found = index.find("teeth cleaning hygiene specialist")
    assert found is not None and found.how == "search"
    assert found.esco is not None and found.esco.label == "dental hygienist"
    assert found.onet is not None and found.onet.title == "Dental Hygienists"
    assert index.find("astronaut on the moon") is None  # nothing near enough


def test_the_index_is_built_once_per_store(
    small_knowledge: CareerKnowledge, tmp_path: Path
) -> None:
    first = CountingEmbedder(get_embedder())
    CareerIndex(_client(tmp_path), first, small_knowledge).ensure()
    assert first.embedded == len(small_knowledge.documents())
    again = CountingEmbedder(get_embedder())
    collection = CareerIndex(_client(tmp_path), again, small_knowledge).ensure()
    assert collection is not None and again.embedded == 0
    assert collection.count() == len(small_knowledge.documents())


def test_a_stopped_build_is_completed_by_the_next(
    small_knowledge: CareerKnowledge, tmp_path: Path
) -> None:
    stop = threading.Event()
    stop.set()
    index = CareerIndex(_client(tmp_path), get_embedder(), small_knowledge)
    assert index.ensure(stop) is None and not index.building()
    collection = CareerIndex(_client(tmp_path), get_embedder(), small_knowledge).ensure()
    assert collection is not None and collection.count() == len(small_knowledge.documents())


def test_while_the_index_is_built_a_title_inside_the_phrase_answers(
    small_knowledge: CareerKnowledge, tmp_path: Path
) -> None:
    embedder = GatedEmbedder(get_embedder())
    index = CareerIndex(_client(tmp_path), embedder, small_knowledge)
    build = threading.Thread(target=index.ensure)
    build.start()
    try:
        assert embedder.started.wait(timeout=300)
        assert index.building()
        found = index.find("night shift staff nurse")
        assert found is not None and found.how == "title within"
        assert found.esco is not None and found.esco.label == "nurse responsible for general care"
    finally:
        embedder.go.set()
        build.join()
    assert not index.building()
    found = index.find("night shift staff nurse")  # now by dense search
    assert found is not None and found.how == "search"


def test_a_title_several_onet_occupations_share_names_its_typical_holder() -> None:
    knowledge = get_careers()
    for title, onet in (
        ("truck driver", "Heavy and Tractor-Trailer Truck Drivers"),
        ("nurse", "Registered Nurses"),
        ("sales assistant", "Retail Salespersons"),  # curated
        ("systems administrator", "Network and Computer Systems Administrators"),
    ):
        found = knowledge.by_title(title)
        assert found is not None and found.onet is not None and found.onet.title == onet, title
    # and ESCO's side is the same occupation, not the database administrator that the
    # first O*NET occupation listing the title was carried to
    found = knowledge.by_title("systems administrator")
    assert found is not None and found.esco is not None
    assert found.esco.label == "ICT system administrator"


def test_onet_completes_a_title_only_esco_knows_by_dense_search(
    small_knowledge: CareerKnowledge, tmp_path: Path
) -> None:
    # O*NET has no "oral health therapist", and no word of it inside makes one
    assert get_careers().by_title("oral health therapist").onet is None  # type: ignore[union-attr]
    found = CareerIndex(_client(tmp_path), get_embedder(), small_knowledge).find(
        "oral health therapist"
    )
    assert found is not None and found.how == "title"
    assert found.esco is not None and found.esco.label == "dental hygienist"
    assert found.onet is not None and found.onet.title == "Dental Hygienists"


def test_the_shipped_vectors_are_the_models_and_fill_a_store_without_embedding(
    tmp_path: Path,
) -> None:
    knowledge = get_careers()
    docs = knowledge.documents()
    shipped = shipped_vectors(get_embedder(), docs)
    assert shipped is not None and shipped.shape == (len(docs), get_embedder().dim)
    sample = list(range(0, len(docs), 97))
    fresh = get_embedder().embed([docs[i][1] for i in sample])
    agreement = np.sum(fresh * shipped[sample], axis=1)
    assert agreement.min() > 0.99  # int8 rounding only: `scripts/build_careers.py --vectors-only`

    counting = CountingEmbedder(get_embedder())
    collection = CareerIndex(_client(tmp_path), counting, knowledge).ensure()
    assert collection is not None and collection.count() == len(docs)
    assert counting.embedded == 0
    # other documents (a store of another version of the data) are embedded, not mixed up
    assert shipped_vectors(get_embedder(), docs[:-1]) is None

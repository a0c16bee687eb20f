"""VectorIndex on both Chroma modes: embedded (PersistentClient in a tmp dir) and a real
`chroma run` server process. Filters must act inside the vector query, erasure must leave
no vector behind, and a visibility flip must count at once.
"""

from __future__ import annotations

import sys
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings as ChromaSettings

from core.settings import ConfigError, reset_settings_cache
from ingest.embeddings import get_embedder
from ingest.index import JobDoc, ResumeDoc, VectorIndex, get_index, reset_index_cache, where_clause
from tests.helpers.server import free_port, serve_process


def telemetry_off() -> ChromaSettings:
    # A fresh object each time: Chroma's client constructors write into the one they get.
    return ChromaSettings(anonymized_telemetry=False)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real Chroma server (the Rust `chroma run`), one per test session or xdist worker."""
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    command = [str(chroma), "run", "--path", str(tmp_path_factory.mktemp("chroma-server"))]
    with serve_process(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        ready_url=f"http://127.0.0.1:{port}/api/v2/heartbeat",
        log_path=tmp_path_factory.mktemp("chroma-log") / "server.log",
        timeout=180,  # on a busy machine the server takes tens of seconds to listen
    ):
        yield "127.0.0.1", port


@pytest.fixture(params=["embedded", "server"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorIndex]:
    """A VectorIndex on empty collections, once per Chroma mode."""
    if request.param == "embedded":
        client = chromadb.PersistentClient(path=str(tmp_path / "chroma"), settings=telemetry_off())
    else:
        host, port = request.getfixturevalue("chroma_server")
        # A fresh database per test: the server is shared, the collection names are not.
        database = f"t{uuid.uuid4().hex}"
        admin = chromadb.AdminClient(
            ChromaSettings(
                chroma_api_impl="chromadb.api.fastapi.FastAPI",
                chroma_server_host=host,
                chroma_server_http_port=port,
                anonymized_telemetry=False,
            )
        )
        admin.create_database(database)
        client = chromadb.HttpClient(
            host=host, port=port, database=database, settings=telemetry_off()
        )
    yield VectorIndex(client)
    reset_index_cache()


JOBS = [
    JobDoc("j-py", "org-a", "Python developer: Django, FastAPI, PostgreSQL.", remote=True),
    JobDoc("j-rn", "org-a", "Registered nurse for the intensive care unit.", location="Leeds"),
    JobDoc("j-py-b", "org-b", "Senior Python engineer, data pipelines, Airflow."),
    JobDoc("j-draft", "org-a", "Python backend engineer (draft posting).", published=False),
]
PYTHON_RESUME = "Backend developer with six years of Python, Django and PostgreSQL."


def _resumes() -> list[ResumeDoc]:
    return [
        ResumeDoc("r-ann", "c-ann", "org-a", "v1", PYTHON_RESUME, open_to_employers=True),
        ResumeDoc(
            "r-ann-2",
            "c-ann",
            "org-a",
            "v7",
            "Python and Go engineer, Kubernetes.",
            open_to_employers=True,
        ),
        ResumeDoc(
            "r-bob",
            "c-bob",
            "org-a",
            "v2",
            "Python developer, Flask, MySQL.",
            open_to_employers=False,
        ),
        ResumeDoc(
            "r-cy", "c-cy", "org-b", "v3", "Python data engineer, Spark.", open_to_employers=True
        ),
    ]


def test_query_ranks_by_cosine_similarity(index: VectorIndex) -> None:
    assert index.upsert_jobs(JOBS) == 4
    vector = index.embedder.embed([PYTHON_RESUME])[0]
    hits = index.query_jobs(vector, n=10)
    assert [job_id for job_id, _ in hits][-1] == "j-rn"  # the nursing job is farthest
    similarities = [s for _, s in hits]
    assert similarities == sorted(similarities, reverse=True)
    want = float(index.embedder.embed([JOBS[0].text])[0] @ vector)
    assert dict(hits)["j-py"] == pytest.approx(want, abs=1e-4)  # 1 - cosine distance
    assert index.count("jobs") == 4


def test_where_filters_apply_inside_the_query(index: VectorIndex) -> None:
    index.upsert_jobs(JOBS)
    index.upsert_resumes(_resumes())
    vector = index.embedder.embed([PYTHON_RESUME])[0]
    # n larger than the allowed set: only allowed items come back, never a padded list.
    jobs = index.query_jobs(vector, n=10, where={"org_id": "org-a", "published": True})
    assert {job_id for job_id, _ in jobs} == {"j-py", "j-rn"}
    remote = index.query_jobs(vector, n=10, where={"remote": True})
    assert [job_id for job_id, _ in remote] == ["j-py"]
    visible = index.query_resumes(
        vector, n=10, where={"org_id": "org-a", "open_to_employers": True}
    )
    assert {r for r, _ in visible} == {"r-ann", "r-ann-2"}  # r-bob opted out, r-cy other org
    assert index.query_resumes(vector, n=10, where={"org_id": "org-z"}) == []
    assert index.count("resumes", where={"open_to_employers": True}) == 3


def test_delete_candidate_leaves_no_vector(index: VectorIndex) -> None:
    resumes = _resumes()
    index.upsert_resumes(resumes)
    ann_vectors = index.embedder.embed([r.text for r in resumes if r.candidate_id == "c-ann"])
    index.delete_candidate("c-ann")
    for vector in ann_vectors:
        # Their exact vector, unfiltered, as many results as exist: none of theirs remain.
        hits = index.query_resumes(vector, n=10)
        assert hits and not {r for r, _ in hits} & {"r-ann", "r-ann-2"}
    assert index.count("resumes", where={"candidate_id": "c-ann"}) == 0
    assert index.count("resumes") == 2


def test_visibility_flip_takes_effect_at_once(index: VectorIndex) -> None:
    index.upsert_resumes(_resumes())
    vector = index.embedder.embed(["Python developer"])[0]
    employer_view = {"org_id": "org-a", "open_to_employers": True}
    assert index.set_candidate_visibility("c-ann", False) == 2
    assert {r for r, _ in index.query_resumes(vector, 10, employer_view)} == set()
    assert index.set_candidate_visibility("c-bob", True) == 1
    assert {r for r, _ in index.query_resumes(vector, 10, employer_view)} == {"r-bob"}
    # The update merged into the metadata; nothing else was lost.
    meta = index.metadata("resumes", ["r-bob"])["r-bob"]
    assert meta == {
        "org_id": "org-a",
        "candidate_id": "c-bob",
        "resume_id": "r-bob",
        "version_id": "v2",
        "open_to_employers": True,
    }
    assert index.set_candidate_visibility("c-nobody", True) == 0


def test_upsert_is_idempotent_and_replaces(index: VectorIndex) -> None:
    index.upsert_jobs(JOBS)
    index.upsert_jobs([JobDoc("j-rn", "org-a", "Python developer, remote.", remote=True)])
    assert index.count("jobs") == 4
    assert index.metadata("jobs", ["j-rn"])["j-rn"]["remote"] is True
    vector = index.embedder.embed(["Python developer, remote."])[0]
    assert index.query_jobs(vector, 1)[0] == ("j-rn", pytest.approx(1.0, abs=1e-4))
    index.delete_job("j-rn")
    assert index.count("jobs") == 3 and index.metadata("jobs", ["j-rn"]) == {}
    with pytest.raises(ValueError, match="duplicate"):
        index.upsert_jobs([JOBS[0], JOBS[0]])


def test_given_vectors_are_used_as_is(index: VectorIndex) -> None:
    own = np.zeros(384, dtype=np.float32)
    own[0] = 1.0
    index.upsert_jobs([JobDoc("j-own", "org-a", "ignored text", embedding=own), JOBS[0]])
    assert index.query_jobs(own, 1) == [("j-own", pytest.approx(1.0, abs=1e-6))]


def test_bulk_upsert_crosses_batches(index: VectorIndex) -> None:
    # Random unit vectors: tests batching without paying for 2,500 model runs.
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(2500, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    docs = [JobDoc(f"j{i}", f"org-{i % 3}", "", embedding=v) for i, v in enumerate(vectors)]
    index.upsert_jobs(docs)
    assert index.count("jobs") == 2500 and index.count("jobs", where={"org_id": "org-1"}) == 833
    hits = index.query_jobs(vectors[1234], 3, where={"org_id": "org-1"})
    assert hits[0] == ("j1234", pytest.approx(1.0, abs=1e-5))


def test_where_clause_shapes() -> None:
    assert where_clause(None) is None
    assert where_clause({"org_id": "a"}) == {"org_id": "a"}
    assert where_clause({"org_id": "a", "published": True}) == {
        "$and": [{"org_id": "a"}, {"published": True}]
    }
    raw = {"$or": [{"org_id": "a"}, {"org_id": "b"}]}
    assert where_clause(raw) == raw


def test_get_index_from_settings_embedded(isolated_settings: Path) -> None:
    reset_index_cache()
    index = get_index()
    assert get_index() is index
    index.upsert_jobs(JOBS[:1])
    reset_index_cache()
    # Persisted under <data_dir>/chroma and visible to a fresh client.
    assert (isolated_settings / "chroma").is_dir()
    assert get_index().count("jobs") == 1
    reset_index_cache()


def test_threads_opening_the_index_at_once_share_one(isolated_settings: Path) -> None:
    # Start-up opens the index from two worker threads at once (tasks, re-index check);
    # building Chroma's embedded client twice in parallel failed inside Chroma.
    reset_index_cache()
    threads = 4
    barrier = threading.Barrier(threads)

    def open_after_barrier() -> VectorIndex:
        barrier.wait()
        return get_index()

    with ThreadPoolExecutor(threads) as pool:
        opened = list(pool.map(lambda _: open_after_barrier(), range(threads)))
    assert all(index is opened[0] for index in opened)
    opened[0].upsert_jobs(JOBS[:1])
    assert get_index().count("jobs") == 1
    reset_index_cache()


def test_get_index_from_settings_server(
    chroma_server: tuple[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    host, port = chroma_server
    monkeypatch.setenv("CLEARVIEW_CHROMA", f"http://{host}:{port}")
    reset_settings_cache()
    reset_index_cache()
    client = chromadb.HttpClient(host=host, port=port, settings=telemetry_off())
    for name in ("jobs", "resumes"):  # the default database is shared within the session
        if name in [c.name for c in client.list_collections()]:
            client.delete_collection(name)
    get_index().upsert_jobs(JOBS)
    assert client.get_collection("jobs").count() == 4
    reset_index_cache()


def test_a_collection_of_another_model_is_refused(tmp_path: Path) -> None:
    from ingest.embeddings import ClearViewEmbeddingFunction

    client = chromadb.PersistentClient(path=str(tmp_path / "c"), settings=telemetry_off())
    client.create_collection(
        "jobs",
        embedding_function=ClearViewEmbeddingFunction("openai:other"),  # type: ignore[arg-type]
    )
    with pytest.raises(ConfigError, match="re-index"):
        VectorIndex(client, get_embedder())
    reset_index_cache()

"""Rebuilding the vector index from SQL (`api.matching.reindex`, `clearview index ...`), on
SQLite and PostgreSQL, against a real embedded Chroma.

An index left by an older matcher is simulated by rewriting entries in Chroma directly:
features of version 1 (and wrong ones), a consent flag out of step, a deleted entry, and
entries SQL no longer wants. The rebuild must report and fix exactly those, through the
live hooks' own functions, so match scores come back to what they were.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from api.identity.service import create_api_key, identity_service
from api.matching import indexing, reindex
from api.matching.features import FEATURES_VERSION, JobSnapshot
from api.matching.indexing import FEATURES_KEY
from clearview.app import build_app, index_check
from clearview.commands.index import app as index_app
from core.db import dispose_engines, session_scope
from core.models import Job
from ingest.index import JOBS, RESUMES, Kind, get_index
from tests.fixtures.matching import JOBS as JOB_ROWS
from tests.fixtures.matching import NURSE_RESUME, RESUME, RESUME_SWAPPED
from tests.helpers.upload import import_jobs, upload_resume
from tests.plugins.api import Key, MakeKey

PUBLISHED = len(JOB_ROWS) - 1  # "hidden" is a draft
ORPHAN_RESUME = "e" * 32
# Scores are rounded to 6 decimals; a vector embedded in another batch may differ by ~1e-7.
SAME_SCORE = 2e-6


async def _job_scores(client: httpx.AsyncClient, key: Key) -> dict[str, float]:
    answer = await client.post(
        "/api/v1/match/jobs", json={"resume_text": RESUME, "top_k": 100}, headers=key.headers
    )
    assert answer.status_code == 200, answer.text
    return {m["job_id"]: m["score"] for m in answer.json()["matches"]}


async def _candidate_scores(
    client: httpx.AsyncClient, key: Key, job_id: str
) -> list[tuple[str, float]]:
    answer = await client.post(
        "/api/v1/match/candidates", json={"job_id": job_id, "top_k": 50}, headers=key.headers
    )
    assert answer.status_code == 200, answer.text
    return [(m["resume_id"], m["score"]) for m in answer.json()["matches"]]


def _counts(found: reindex.IndexStatus, kind: Kind) -> tuple[int, ...]:
    item = found.jobs if kind == JOBS else found.resumes
    return (item.wanted, item.indexed, item.current, item.stale, item.missing, item.orphans)


def _snapshot(kind: Kind) -> dict[str, tuple[dict[str, Any], list[float]]]:
    got = get_index().collection(kind).get(include=["metadatas", "embeddings"])
    assert got["metadatas"] is not None and got["embeddings"] is not None
    return {
        item: (dict(meta), np.asarray(vector).tolist())
        for item, meta, vector in zip(got["ids"], got["metadatas"], got["embeddings"], strict=True)
    }


def _metadata(kind: Kind, item_id: str) -> dict[str, Any]:
    return get_index().metadata(kind, [item_id])[item_id]


async def _age_the_index(ids: dict[str, str], resumes: dict[str, str]) -> None:
    """What an older matcher (and a missed hook or two) would have left in Chroma."""
    index = get_index()
    jobs, stored_resumes = index.collection(JOBS), index.collection(RESUMES)
    # two jobs with version-1 features (those of another job: an old matcher's view)
    old_job = _metadata(JOBS, ids["chef"])[FEATURES_KEY]
    stale = [ids["py-backend"], ids["data-eng"]]
    jobs.update(ids=stale, metadatas=[{"features_version": 1, FEATURES_KEY: old_job}] * 2)
    jobs.delete(ids=[ids["frontend"]])  # missing
    # the draft job in the index, as if its unpublish had never reached it: an orphan
    async with session_scope() as session:
        draft = await session.get(Job, ids["hidden"])
        assert draft is not None and not draft.published
        snapshot = JobSnapshot.from_row(draft)
    await indexing.index_jobs([replace(snapshot, published=True)])
    # a resume with version-1 features; an opted-out candidate indexed as opted in
    old_resume = _metadata(RESUMES, resumes["nurse"])[FEATURES_KEY]
    stored_resumes.update(
        ids=[resumes["visible"]], metadatas=[{"features_version": 1, FEATURES_KEY: old_resume}]
    )
    stored_resumes.update(ids=[resumes["hidden"]], metadatas=[{"open_to_employers": True}])
    # a resume SQL does not know (an erasure the index missed): an orphan
    nurse = stored_resumes.get(ids=[resumes["nurse"]], include=["metadatas", "embeddings"])
    assert nurse["metadatas"] is not None and nurse["embeddings"] is not None
    stored_resumes.add(
        ids=[ORPHAN_RESUME],
        embeddings=np.asarray([nurse["embeddings"][0]], dtype=np.float32),
        metadatas=[{**nurse["metadatas"][0], "resume_id": ORPHAN_RESUME}],
    )


async def test_rebuild_brings_an_old_index_back_in_step(
    client: httpx.AsyncClient, make_key: MakeKey, app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    employer = await make_key("org-a", "employer")
    ids = await import_jobs(client, employer)
    candidate = await make_key("org-b", "candidate")
    keys = {name: await make_key("org-c", "candidate") for name in ("visible", "hidden", "nurse")}
    resumes = {
        "visible": await upload_resume(client, keys["visible"], RESUME, opt_in=True),
        "hidden": await upload_resume(client, keys["hidden"], RESUME_SWAPPED, opt_in=False),
        "nurse": await upload_resume(client, keys["nurse"], NURSE_RESUME, opt_in=True),
    }

    fresh = await reindex.status()
    assert fresh.in_step and fresh.features_version == FEATURES_VERSION
    assert _counts(fresh, JOBS) == (PUBLISHED, PUBLISHED, PUBLISHED, 0, 0, 0)
    # the live hooks index an opted-out candidate too, flagged: so does the status
    assert _counts(fresh, RESUMES) == (3, 3, 3, 0, 0, 0)
    assert await reindex.warn_if_stale() == {JOBS: 0, RESUMES: 0}

    job_scores = await _job_scores(client, candidate)
    candidate_scores = await _candidate_scores(client, employer, ids["py-backend"])
    assert [rid for rid, _ in candidate_scores] == [resumes["visible"], resumes["nurse"]]
    pair = {"resume_id": resumes["visible"], "job_id": ids["data-eng"]}
    pair_score = await client.post(
        "/api/v1/match/score", json=pair, headers=keys["visible"].headers
    )
    assert pair_score.status_code == 200, pair_score.text

    await _age_the_index(ids, resumes)
    aged = await reindex.status()
    assert not aged.in_step
    assert _counts(aged, JOBS) == (PUBLISHED, PUBLISHED, PUBLISHED - 3, 2, 1, 1)
    assert _counts(aged, RESUMES) == (3, 4, 1, 2, 0, 1)
    # the tampering shows in matches, so equal scores after the rebuild mean something
    assert (await _job_scores(client, candidate)) != job_scores

    # serving warns once, in the background, naming the command
    caplog.set_level(logging.WARNING, logger="api.matching.reindex")
    caplog.clear()

    def warnings() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name == "api.matching.reindex"]

    async with index_check(app):
        for _ in range(200):
            if warnings():
                break
            await asyncio.sleep(0.05)
    [warning] = warnings()
    assert warning.levelno == logging.WARNING
    assert "`clearview index rebuild`" in warning.getMessage()
    assert "2 jobs, 1 resumes" in warning.getMessage()

    steps: list[tuple[str, int, int]] = []
    report = await reindex.rebuild(batch_size=2, progress=lambda *step: steps.append(step))
    assert (report.jobs, report.resumes, report.removed) == (3, 2, 2)
    assert steps == [
        ("jobs", 0, 3),
        ("jobs", 2, 3),
        ("jobs", 3, 3),
        ("resumes", 0, 2),
        ("resumes", 2, 2),
        ("orphans", 0, 2),
        ("orphans", 2, 2),
    ]

    rebuilt = await reindex.status()
    assert rebuilt.in_step
    assert _counts(rebuilt, JOBS) == (PUBLISHED, PUBLISHED, PUBLISHED, 0, 0, 0)
    assert _counts(rebuilt, RESUMES) == (3, 3, 3, 0, 0, 0)
    assert get_index().metadata(JOBS, [ids["hidden"]]) == {}  # unpublished: not indexed
    assert get_index().metadata(RESUMES, [ORPHAN_RESUME]) == {}
    hidden = _metadata(RESUMES, resumes["hidden"])
    assert hidden["open_to_employers"] is False  # consent as in SQL, as the hooks write it
    assert hidden["features_version"] == FEATURES_VERSION
    assert await reindex.warn_if_stale() == {JOBS: 0, RESUMES: 0}

    # the same matches and scores as before the index aged
    after = await _job_scores(client, candidate)
    assert after.keys() == job_scores.keys()
    assert after == pytest.approx(job_scores, abs=SAME_SCORE)
    again = await _candidate_scores(client, employer, ids["py-backend"])
    assert [rid for rid, _ in again] == [rid for rid, _ in candidate_scores]
    assert [s for _, s in again] == pytest.approx([s for _, s in candidate_scores], abs=SAME_SCORE)
    pair_again = await client.post(
        "/api/v1/match/score", json=pair, headers=keys["visible"].headers
    )
    assert pair_again.json()["score"] == pytest.approx(pair_score.json()["score"], abs=SAME_SCORE)

    # a second rebuild has nothing to do and changes nothing
    before = {kind: _snapshot(kind) for kind in (JOBS, RESUMES)}
    steps.clear()
    idle = await reindex.rebuild(batch_size=2, progress=lambda *step: steps.append(step))
    assert (idle.jobs, idle.resumes, idle.removed) == (0, 0, 0)
    assert steps == [("jobs", 0, 0), ("resumes", 0, 0), ("orphans", 0, 0)]
    assert {kind: _snapshot(kind) for kind in (JOBS, RESUMES)} == before


async def test_rebuild_follows_the_rows_as_the_hooks_do(
    client: httpx.AsyncClient, make_key: MakeKey
) -> None:
    """A fresh (empty) index, as after pointing CLEARVIEW_CHROMA at a new location: the
    rebuild writes what the live hooks wrote, entry for entry."""
    employer = await make_key("org-a", "employer")
    ids = await import_jobs(client, employer)
    opted_in = await make_key("org-c", "candidate")
    opted_out = await make_key("org-c", "candidate")
    resume_in = await upload_resume(client, opted_in, RESUME, opt_in=True)
    resume_out = await upload_resume(client, opted_out, NURSE_RESUME, opt_in=False)
    # a newer upload replaces a candidate's entry: only the current resume is wanted
    newer = await upload_resume(client, opted_in, RESUME_SWAPPED, opt_in=True)
    assert newer != resume_in
    live = {kind: _snapshot(kind) for kind in (JOBS, RESUMES)}
    assert set(live[RESUMES]) == {newer, resume_out} and ids["hidden"] not in live[JOBS]

    for kind in (JOBS, RESUMES):
        stored = get_index().collection(kind)
        stored.delete(ids=stored.get(include=[])["ids"])
    empty = await reindex.status()
    assert _counts(empty, JOBS) == (PUBLISHED, 0, 0, 0, PUBLISHED, 0)
    assert _counts(empty, RESUMES) == (2, 0, 0, 0, 2, 0)

    report = await reindex.rebuild(batch_size=4)
    assert (report.jobs, report.resumes, report.removed) == (PUBLISHED, 2, 0)
    rebuilt = {kind: _snapshot(kind) for kind in (JOBS, RESUMES)}
    for kind in (JOBS, RESUMES):
        assert rebuilt[kind].keys() == live[kind].keys()
        for item_id, (meta, vector) in live[kind].items():
            assert rebuilt[kind][item_id][0] == meta, (kind, item_id)
            np.testing.assert_allclose(rebuilt[kind][item_id][1], vector, atol=1e-6)
    assert rebuilt[RESUMES][resume_out][0]["open_to_employers"] is False

    with pytest.raises(ValueError, match="batch_size"):
        await reindex.rebuild(batch_size=0)


# --- the command, as an operator runs it --------------------------------------------------


async def _cli_setup() -> dict[str, str]:
    """Jobs and a resume through the API, on this loop's engine (disposed after)."""
    try:
        async with session_scope() as session:
            employer_secret = await create_api_key(session, "org-a", "employer")
            candidate_secret = await create_api_key(session, "org-c", "candidate")
        async with session_scope() as session:
            employer = await identity_service.authenticate(session, employer_secret)
            candidate = await identity_service.authenticate(session, candidate_secret)
        transport = httpx.ASGITransport(app=build_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://cv.test") as client:
            ids = await import_jobs(client, Key(employer_secret, employer.key_id, "", ""))
            key = Key(candidate_secret, candidate.key_id, "", "")
            ids["resume"] = await upload_resume(client, key, RESUME, opt_in=True)
        return ids
    finally:
        await dispose_engines()


def _row(output: str, kind: str) -> list[str]:
    """The cells of a kind's row in the status table."""
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if cells and cells[0] == kind:
            return cells[1:]
    raise AssertionError(f"no {kind} row in:\n{output}")


@pytest.mark.usefixtures("engine")
def test_cli_status_and_rebuild() -> None:
    ids = asyncio.run(_cli_setup())
    index = get_index()
    index.collection(JOBS).update(ids=[ids["nurse"]], metadatas=[{"features_version": 1}])
    index.collection(RESUMES).delete(ids=[ids["resume"]])
    runner = CliRunner()
    env = {"COLUMNS": "200"}

    status = runner.invoke(index_app, ["status"], env=env)
    assert status.exit_code == 1, status.output
    stale_jobs = [PUBLISHED, PUBLISHED, PUBLISHED - 1, 1, 0, 0]
    assert _row(status.output, "jobs") == [str(n) for n in stale_jobs]
    assert _row(status.output, "resumes") == ["1", "0", "0", "0", "1", "0"]
    assert f"features version {FEATURES_VERSION}" in status.output
    assert "clearview index rebuild" in status.output

    rebuilt = runner.invoke(index_app, ["rebuild", "--batch-size", "5"], env=env)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "re-indexed 1 jobs and 1 resumes; removed 0 orphan entries" in rebuilt.output
    assert _metadata(JOBS, ids["nurse"])["features_version"] == FEATURES_VERSION

    everything = runner.invoke(index_app, ["rebuild", "--all"], env=env)
    assert everything.exit_code == 0, everything.output
    assert f"re-indexed {PUBLISHED} jobs and 1 resumes; removed 0 orphan entries" in (
        everything.output
    )

    fine = runner.invoke(index_app, ["status"], env=env)
    assert fine.exit_code == 0, fine.output
    assert _row(fine.output, "jobs") == [str(PUBLISHED)] * 3 + ["0", "0", "0"]
    assert _row(fine.output, "resumes") == ["1", "1", "1", "0", "0", "0"]
    assert "in step" in fine.output

    bad = runner.invoke(index_app, ["rebuild", "--batch-size", "0"], env=env)
    assert bad.exit_code == 2

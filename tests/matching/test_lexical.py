"""The lexical term: what a job's query keeps, how the score is calibrated, and the index
writing jobs with the vectors embedded alongside featurisation."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from api.matching import lexical
from api.matching.features import JobSnapshot
from api.matching.indexing import index_jobs_sync, job_doc
from ingest.index import JOBS, get_index

POSTING = """## Job title
Data Engineer

## Job Summary
We are seeking a passionate engineer to join our Kafka team. Great benefits.

## Requirements
- Proficient in Spark and Airflow; minimum 3 years of similar experience
- Kafka streaming pipelines

## Benefits
Kafka conference budget.
"""


def test_recruiting_boilerplate_and_headings_stay_out_of_the_query() -> None:
    query = lexical.query_weights(POSTING)
    assert {"spark", "airflow", "kafka", "engineer"} <= set(query)
    # qualifiers every posting uses say how much is wanted, not what
    assert not {"passionate", "proficient", "minimum", "similar", "seeking"} & set(query)
    # "Job Summary", "Requirements" are structure, not content
    assert not {"summary", "requirement"} & set(query)


def test_summary_and_benefits_count_half() -> None:
    # "kafka" once in the requirements and once each in the summary and the benefits:
    # tf 1 + 0.5 + 0.5 = 2, against "spark" (tf 1) of the same section
    query = lexical.query_weights(POSTING)
    table = lexical.get_term_table()
    kafka_tf = query["kafka"] / table.idf("kafka")
    spark_tf = query["spark"] / table.idf("spark")
    assert kafka_tf == pytest.approx(1.0 + np.log(2.0), abs=1e-5)
    assert spark_tf == pytest.approx(1.0, abs=1e-5)


def test_a_job_without_sections_is_counted_whole() -> None:
    text = "Kafka engineer. Kafka, Spark."
    query = lexical.query_weights(text)
    assert query["kafka"] == pytest.approx(
        (1.0 + np.log(2.0)) * lexical.get_term_table().idf("kafka"), abs=1e-5
    )


def test_calibration_reaches_one_at_the_full_match_share() -> None:
    assert lexical.calibrate(0.0) == 0.0
    assert lexical.calibrate(lexical.FULL_MATCH_SHARE / 2) == pytest.approx(0.5)
    assert lexical.calibrate(lexical.FULL_MATCH_SHARE) == 1.0
    assert lexical.calibrate(0.9) == 1.0  # capped: the score stays in [0, 1]


def test_bm25_grows_with_coverage_and_stays_in_range() -> None:
    query = lexical.query_weights(POSTING)
    scores = []
    for text in ("Spark", "Spark Airflow", "Spark Airflow Kafka engineer data pipelines"):
        counts, length = lexical.doc_counts(text)
        scores.append(lexical.bm25(query, counts, length))
    assert 0.0 < scores[0] < scores[1] < scores[2] <= 1.0


def test_indexed_vectors_are_those_the_index_computes_itself() -> None:
    # index_jobs_sync embeds in a worker thread while it featurises; what it stores must be
    # bit-identical to what the index stores when it embeds the same batch itself
    jobs = [
        JobSnapshot(
            job_id=f"job{n}",
            org_id="org",
            external_id=f"e{n}",
            title=title,
            description=f"{title} with Python and SQL, {n} years.",
        )
        for n, title in enumerate(["Data engineer", "Nurse", "Welder", "Chef"])
    ]
    index = get_index()
    assert index_jobs_sync(jobs, index) == 4
    index.upsert_jobs([replace(job_doc(job), job_id="self-" + job.job_id) for job in jobs])
    ids = [job.job_id for job in jobs]
    threaded = index.collection(JOBS).get(ids=ids, include=["embeddings"])
    itself = index.collection(JOBS).get(ids=["self-" + i for i in ids], include=["embeddings"])
    by_id = dict(zip(threaded["ids"], np.asarray(threaded["embeddings"]), strict=True))
    for own_id, vector in zip(itself["ids"], np.asarray(itself["embeddings"]), strict=True):
        assert np.array_equal(by_id[own_id.removeprefix("self-")], vector)

"""Match quality on rjdb: our matcher against BM25 and pure dense baselines, in one run.

    .venv/bin/python -m bench.quality [rjdb|real|skills|titles|all] [--data ../shared/data]

`rjdb` (the default) is described here; `real` (real PDF resumes against real job ads),
`skills` (skill extraction against human labels) and `titles` (job title -> ESCO
occupation) are in `bench/_quality_real.py`.

Each of the 500 jobs of ../shared/data/rjdb/rjdb_dev.jsonl has a matching resume and a
near-miss (1-2 required skills removed and an experience shortened). Measures:

- pairwise accuracy: share of jobs where score(job, matching) > score(job, near-miss)
  (a tie counts as a miss);
- nDCG@10 and MRR when each job ranks all 1,000 resumes (its matching resume = 2, its
  near-miss = 1, every other = 0; MRR is 1 / rank of the matching resume).

Our matcher is scored through the API's own code: `features.prepare_resume` and
`features.job_features` on the raw texts (jobs without explicit skill lists, so skills
are extracted from the text), the same embedder, and `scoring.score`. Baselines: BM25
(bm25s, Lucene variant, IDF of the 1,000 resumes) and cosine of the same embeddings.

Printed twice: over all jobs, and over the odd-numbered half alone, which no design choice
looked at (choices were compared on the even-numbered half; see ADR 0003).
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from api.matching.features import job_features, prepare_resume
from api.matching.scoring import score
from bench._common import SHARED_DATA, load_rjdb, table
from bench._quality_real import PREVIOUS_ENGINE, real_main, skills_main, titles_main
from bench._realdata import cached_embeddings
from ingest.embeddings import get_embedder

ScoreMatrix = np.ndarray  # jobs x resumes


def ndcg_at_10(scores: np.ndarray, gains: np.ndarray) -> float:
    order = np.lexsort((np.arange(len(scores)), -scores))[:10]
    dcg = sum(gains[i] / math.log2(rank + 2) for rank, i in enumerate(order))
    ideal = sorted(gains, reverse=True)[:10]
    idcg = sum(g / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return float(dcg / idcg) if idcg else 0.0


def evaluate(matrix: ScoreMatrix, jobs: Sequence[int] | None = None) -> tuple[float, float, float]:
    """(pairwise accuracy, nDCG@10, MRR) over `jobs` (default: all); resume 2j matches
    job j, 2j+1 is its near-miss. Each job always ranks every resume."""
    selected = range(matrix.shape[0]) if jobs is None else jobs
    pairwise = ndcg = mrr = 0.0
    for j in selected:
        row = matrix[j]
        good, near = 2 * j, 2 * j + 1
        pairwise += float(row[good] > row[near])
        gains = np.zeros(len(row))
        gains[good], gains[near] = 2.0, 1.0
        ndcg += ndcg_at_10(row, gains)
        # rank of the matching resume; ties ranked pessimistically
        mrr += 1.0 / (1 + int(np.sum(row > row[good])) + int(np.sum(row == row[good])) - 1)
    count = len(selected)
    return pairwise / count, ndcg / count, mrr / count


def timed(label: str, work: Callable[[], ScoreMatrix]) -> ScoreMatrix:
    start = time.perf_counter()
    out = work()
    print(f"  {label}: {time.perf_counter() - start:.1f}s")
    return out


def rjdb_main(args: argparse.Namespace) -> None:
    rows = load_rjdb(args.data / "rjdb" / "rjdb_dev.jsonl", limit=args.limit)
    jobs = [row.job for row in rows]
    resumes = [text for row in rows for text in (row.matched, row.unmatched)]
    print(f"{len(jobs)} jobs x {len(resumes)} resumes")

    embedder = get_embedder()
    prepared = [prepare_resume(text) for text in resumes]
    job_vectors = cached_embeddings("rjdb-jobs", jobs, embedder.embed)
    # The API embeds the cleaned resume (names and contacts removed), as here.
    resume_vectors = cached_embeddings(
        "rjdb-resumes", [p.embed_text for p in prepared], embedder.embed
    )
    raw_resume_vectors = cached_embeddings("rjdb-raw", resumes, embedder.embed)

    def ours() -> ScoreMatrix:
        features = [job_features(text) for text in jobs]
        dense = job_vectors @ resume_vectors.T
        out = np.empty((len(jobs), len(resumes)))
        for j, job in enumerate(features):
            for r, resume in enumerate(prepared):
                out[j, r] = score(job, resume.features, float(dense[j, r])).score
        return out

    def bm25() -> ScoreMatrix:
        import bm25s

        retriever = bm25s.BM25()
        retriever.index(bm25s.tokenize(resumes, stopwords="en", show_progress=False))
        query_tokens = bm25s.tokenize(jobs, stopwords="en", show_progress=False, return_ids=False)
        out = np.empty((len(jobs), len(resumes)))
        for j, tokens in enumerate(query_tokens):
            out[j] = retriever.get_scores(list(tokens))
        return out

    def dense() -> ScoreMatrix:
        return np.asarray(job_vectors @ raw_resume_vectors.T, dtype=np.float64)

    matrices = {
        "BM25 (bm25s)": timed("BM25", bm25),
        "dense cosine (MiniLM)": timed("dense", dense),
        "ClearView matcher": timed("ours", ours),
    }
    # Design choices were made looking at the even-numbered jobs only; the odd-numbered
    # half is the held-out check (every job still ranks all resumes).
    for label, selected in (
        ("all jobs", None),
        ("held-out half (odd jobs)", range(1, len(jobs), 2)),
    ):
        results = {name: evaluate(matrix, selected) for name, matrix in matrices.items()}
        print(f"\n{label}")
        print(
            table(
                ["method", "pairwise acc.", "nDCG@10", "MRR"],
                [[name, *(f"{v:.3f}" for v in values)] for name, values in results.items()],
            )
        )
        mine = results["ClearView matcher"]
        beaten = all(
            mine[i] > other[i]
            for name, other in results.items()
            if name != "ClearView matcher"
            for i in range(3)
        )
        print("ClearView beats both baselines on every measure" if beaten else "NOT beating both")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "what", nargs="?", default="rjdb", choices=["rjdb", "real", "skills", "titles", "all"]
    )
    parser.add_argument("--data", type=Path, default=SHARED_DATA, help="the shared data folder")
    parser.add_argument("--limit", type=int, default=None, help="rjdb: the first N jobs only")
    parser.add_argument(
        "--per-occupation", type=int, default=None, help="real: the first N resumes of each"
    )
    parser.add_argument(
        "--previous", default=PREVIOUS_ENGINE, help="real: git revision of the previous engine"
    )
    parser.add_argument(
        "--fit", action="store_true", help="real: fit the combination's weights (dev half)"
    )
    args = parser.parse_args()
    for what, run in (
        ("rjdb", rjdb_main),
        ("real", real_main),
        ("skills", skills_main),
        ("titles", titles_main),
    ):
        if args.what in (what, "all"):
            run(args)


if __name__ == "__main__":
    main()

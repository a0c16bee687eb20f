"""Score (resume, job) pairs with whichever matcher is importable: the current tree, or an
earlier commit unpacked under /tmp (the "previous engine" row of `bench.quality`).

    python -m bench._engine_scores INPUT.json DENSE.npy POOLS.npy OUT.npy

INPUT holds the resume texts and the jobs (title, description, location); POOLS the job
indices to score per resume (resumes x pool); OUT receives the scores (resumes x pool).
Only the matcher's public calls are used (`prepare_resume`, `job_features`, `score`),
which every version since the first has kept, so an old tree runs this file unchanged.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

import numpy as np

from api.matching.features import job_features, prepare_resume
from api.matching.scoring import score


def pool_scores(
    resumes: Sequence[str],
    jobs: Sequence[dict[str, str]],
    dense: np.ndarray,
    pools: np.ndarray,
) -> np.ndarray:
    """Scores of each resume's pooled jobs, via the matcher's own featurisation."""
    wanted = sorted({int(j) for j in pools.ravel()})
    features = {
        j: job_features(
            f"{jobs[j]['title']}\n\n{jobs[j]['description']}",
            title=jobs[j]["title"],
            location=jobs[j]["location"],
        )
        for j in wanted
    }
    out = np.empty(pools.shape)
    for r, text in enumerate(resumes):
        prepared = prepare_resume(text)
        for p, j in enumerate(pools[r]):
            out[r, p] = score(features[int(j)], prepared.features, float(dense[r, j])).score
    return out


def main() -> None:
    source, dense_path, pools_path, out_path = sys.argv[1:5]
    with open(source, encoding="utf-8") as f:
        data = json.load(f)
    scores = pool_scores(data["resumes"], data["jobs"], np.load(dense_path), np.load(pools_path))
    np.save(out_path, scores)


if __name__ == "__main__":
    main()

"""Quality on real data (issue 23): `python -m bench.quality real|skills|titles --data DIR`.

real: 480 real PDF resumes (livecareer, 24 occupations) each rank the 2,499 real UK job
ads (Adzuna); a job's gain is its category's grade for the resume's occupation in
`bench/data/livecareer_adzuna_relevance.csv` (written before any result was seen; 2 the
same field, 1 a neighbouring one). nDCG@10 per occupation, its mean and its worst case,
for: BM25 (bm25s, the resume as query, IDF of the 2,499 jobs), dense cosine (the local
MiniLM, as the API embeds), the previous engine (a git revision unpacked under /tmp and
run on the same inputs), and the current engine on two pools: dense top 50 and the
reciprocal rank fusion of BM25 and dense, top 100. The pooled engines score only their
pool; nDCG's ideal is over every job. Resumes are read with the product's own reader;
texts and embeddings are cached under /tmp/clearview-bench-cache. Development half: even
positions within an occupation (see `bench/data/README.md`); held-out: odd positions.

skills: the lexicon extractor against SkillSpan's human-labelled spans (skill and
knowledge; house and tech test sets): precision, recall, F1 of spans, strict (same
tokens) and loose (any overlap); and against the ESCO links of the same sentences.

titles: JobBERT's 15,463 real vacancy titles, each with its ESCO occupation: share linked
to the right occupation, to the right ISCO unit group, and to anything.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import subprocess
import sys
import tarfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from api.matching.features import EMBED_CHARS, job_text, prepare_resume
from bench._common import table
from bench._engine_scores import pool_scores
from bench._realdata import (
    CACHE,
    RealJob,
    RealResume,
    cached_embeddings,
    gains,
    load_jobs,
    load_relevance,
    load_resumes,
)
from ingest.embeddings import get_embedder
from ingest.occupations import get_occupations
from ingest.skills import get_lexicon

# The engine before issue 23 (the commit this work started from).
PREVIOUS_ENGINE = "a4ddd33"
DENSE_POOL = 50  # the service's pool for top_k <= 10
RRF_POOL = 100
RRF_K = 60  # the usual constant of reciprocal rank fusion
ROOT = Path(__file__).resolve().parents[1]


def ndcg10(scores: np.ndarray, gains_row: np.ndarray) -> float:
    order = np.lexsort((np.arange(len(scores)), -scores))[:10]
    dcg = sum(gains_row[i] / math.log2(rank + 2) for rank, i in enumerate(order))
    ideal = np.sort(gains_row)[::-1][:10]
    idcg = sum(g / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return float(dcg / idcg) if idcg else 0.0


def ranks(matrix: np.ndarray) -> np.ndarray:
    """0-based rank of every column per row (best first; ties by column index)."""
    out = np.empty(matrix.shape, dtype=np.int64)
    for r, row in enumerate(matrix):
        order = np.lexsort((np.arange(len(row)), -row))
        out[r, order] = np.arange(len(row))
    return out


def top(matrix: np.ndarray, n: int) -> np.ndarray:
    return np.stack([np.lexsort((np.arange(len(row)), -row))[:n] for row in matrix])


def bm25_matrix(resumes: Sequence[str], jobs: Sequence[str]) -> np.ndarray:
    import bm25s

    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(list(jobs), stopwords="en", show_progress=False))
    queries = bm25s.tokenize(list(resumes), stopwords="en", show_progress=False, return_ids=False)
    return np.stack([retriever.get_scores(list(tokens)) for tokens in queries])


def scatter(pools: np.ndarray, scores: np.ndarray, n_jobs: int) -> np.ndarray:
    """Pool scores into a full resumes x jobs matrix; jobs outside the pool rank last."""
    out = np.full((len(pools), n_jobs), -np.inf)
    for r in range(len(pools)):
        out[r, pools[r]] = scores[r]
    return out


def previous_engine(
    revision: str,
    resumes: Sequence[str],
    jobs: Sequence[RealJob],
    dense: np.ndarray,
    pools: np.ndarray,
) -> np.ndarray:
    """Scores of the matcher at `revision`, run from an unpacked copy of that tree."""
    tree = CACHE / f"tree-{revision}"
    if not tree.exists():
        archive = subprocess.run(
            ["git", "archive", revision, "api", "ingest", "core", "bench/_engine_scores.py"],
            cwd=ROOT,
            check=False,
            capture_output=True,
        )
        if archive.returncode:
            # bench/_engine_scores.py is newer than the revision: take it from here.
            archive = subprocess.run(
                ["git", "archive", revision, "api", "ingest", "core"],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
        tree.mkdir(parents=True)
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tree, filter="data")
        (tree / "bench").mkdir(exist_ok=True)
        (tree / "bench" / "__init__.py").touch()
        (tree / "bench" / "_engine_scores.py").write_text(
            (ROOT / "bench" / "_engine_scores.py").read_text(encoding="utf-8"), encoding="utf-8"
        )
    digest = hashlib.sha256(pools.tobytes() + "\x00".join(resumes).encode()).hexdigest()[:16]
    work = CACHE / f"prev-{revision}-{digest}"
    if (work / "scores.npy").exists():  # the same engine on the same inputs
        return np.asarray(np.load(work / "scores.npy"))
    work.mkdir(exist_ok=True)
    source = work / "input.json"
    source.write_text(
        json.dumps(
            {
                "resumes": list(resumes),
                "jobs": [
                    {"title": j.title, "description": j.description, "location": j.location}
                    for j in jobs
                ],
            }
        ),
        encoding="utf-8",
    )
    np.save(work / "dense.npy", dense)
    np.save(work / "pools.npy", pools)
    out = work / "scores.npy"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "bench._engine_scores",
            str(source),
            str(work / "dense.npy"),
            str(work / "pools.npy"),
            str(out),
        ],
        cwd=tree,
        check=True,
    )
    return np.asarray(np.load(out))


def _summary(
    name: str, matrix: np.ndarray, resumes: Sequence[RealResume], g: np.ndarray
) -> dict[str, float]:
    per: dict[str, list[float]] = defaultdict(list)
    dev: list[float] = []
    held: list[float] = []
    for r, resume in enumerate(resumes):
        value = ndcg10(matrix[r], g[r])
        per[resume.occupation].append(value)
        (dev if resume.dev else held).append(value)
    out = {occ: float(np.mean(v)) for occ, v in sorted(per.items())}
    out["_mean"] = float(np.mean([out[o] for o in per]))
    out["_dev"] = float(np.mean(dev))
    out["_held"] = float(np.mean(held)) if held else float("nan")
    out["_worst"] = min(out[o] for o in per)
    return out


def real_main(args: argparse.Namespace) -> None:
    resumes = load_resumes(args.data, args.per_occupation)
    jobs = load_jobs(args.data)
    g = gains(resumes, jobs, load_relevance())
    print(f"{len(resumes)} real resumes x {len(jobs)} real job ads")
    embedder = get_embedder()
    prepared = [prepare_resume(r.text) for r in resumes]
    texts = [job_text(j.title, j.description) for j in jobs]
    job_vectors = cached_embeddings("adzuna", [t[:EMBED_CHARS] for t in texts], embedder.embed)
    resume_vectors = cached_embeddings(
        "livecareer", [p.embed_text for p in prepared], embedder.embed
    )
    dense = np.asarray(resume_vectors @ job_vectors.T, dtype=np.float64)
    bm25 = bm25_matrix([r.text for r in resumes], texts)
    fused = 1.0 / (RRF_K + 1 + ranks(bm25)) + 1.0 / (RRF_K + 1 + ranks(dense))
    # A second dense view, as the service can afford it (one short embedding, the same
    # Chroma call): the resume's recent roles alone against the jobs.
    role_texts = ["; ".join(r.title for r in p.features.roles) for p in prepared]
    role_vectors = cached_embeddings(
        "livecareer-roles", [t or " " for t in role_texts], embedder.embed
    )
    role_dense = np.where(
        np.array([bool(t) for t in role_texts])[:, None], role_vectors @ job_vectors.T, -1.0
    )
    fused_roles = 1.0 / (RRF_K + 1 + ranks(dense)) + 1.0 / (RRF_K + 1 + ranks(role_dense))
    roles_pool = top(fused_roles, RRF_POOL)
    dense_pool = top(dense, DENSE_POOL)
    rrf_pool = top(fused, RRF_POOL)
    raw = [r.text for r in resumes]
    job_dicts = [
        {"title": j.title, "description": j.description, "location": j.location} for j in jobs
    ]
    matrices = {
        "BM25": bm25,
        "dense": dense,
        "RRF(BM25, dense)": fused,
        f"previous ({args.previous})": scatter(
            dense_pool, previous_engine(args.previous, raw, jobs, dense, dense_pool), len(jobs)
        ),
        "ClearView, dense pool": scatter(
            dense_pool, pool_scores(raw, job_dicts, dense, dense_pool), len(jobs)
        ),
        "ClearView, roles+dense pool": scatter(
            roles_pool, pool_scores(raw, job_dicts, dense, roles_pool), len(jobs)
        ),
        "ClearView, RRF pool": scatter(
            rrf_pool, pool_scores(raw, job_dicts, dense, rrf_pool), len(jobs)
        ),
    }
    recall = {
        name: float(
            np.mean(
                [
                    (g[r, pool[r]] > 0).sum() / max(1, min(len(pool[r]), (g[r] > 0).sum()))
                    for r in range(len(resumes))
                ]
            )
        )
        for name, pool in (
            ("dense top 50", dense_pool),
            ("RRF top 100", rrf_pool),
            ("roles+dense top 100", roles_pool),
        )
    }
    if args.fit:
        print("fitting the combination on the development half (RRF pools)")
        x = pool_breakdowns(resumes, jobs, dense, rrf_pool)
        weights = fit_weights(x, g, rrf_pool, resumes)
        fitted = np.stack([combine(x[r], weights) for r in range(len(resumes))])
        matrices["fitted combination, RRF pool"] = scatter(rrf_pool, fitted, len(jobs))
    results = {name: _summary(name, m, resumes, g) for name, m in matrices.items()}
    occupations = sorted({r.occupation for r in resumes})
    names = list(results)
    rows = [[occ.lower(), *(f"{results[n][occ]:.2f}" for n in names)] for occ in occupations]
    for key, label in (
        ("_mean", "mean"),
        ("_worst", "worst"),
        ("_dev", "dev half"),
        ("_held", "held-out half"),
    ):
        rows.append([f"**{label}**", *(f"{results[n][key]:.3f}" for n in names)])
    print("\nnDCG@10 per occupation (real resumes x real job ads)")
    print(table(["occupation", *names], rows))
    print(
        "pool recall (relevant jobs in the pool / min(pool, relevant)): "
        + ", ".join(f"{k} {v:.3f}" for k, v in recall.items())
    )


# --- fitting the combination -----------------------------------------------------------

TERMS = ("dense", "lexical", "skills", "occupation")


def pool_breakdowns(
    resumes: Sequence[RealResume], jobs: Sequence[RealJob], dense: np.ndarray, pools: np.ndarray
) -> np.ndarray:
    """(resumes, pool, terms) of the scorer's explainable terms; a term absent from a pair
    (a job with no skills, an unlinked title) is NaN."""
    from api.matching.features import job_features
    from api.matching.scoring import score

    wanted = sorted({int(j) for j in pools.ravel()})
    features = {
        j: job_features(
            job_text(jobs[j].title, jobs[j].description),
            title=jobs[j].title,
            location=jobs[j].location,
        )
        for j in wanted
    }
    out = np.full((*pools.shape, len(TERMS)), np.nan)
    for r, resume in enumerate(resumes):
        prepared = prepare_resume(resume.text).features
        for p, j in enumerate(pools[r]):
            breakdown = score(features[int(j)], prepared, float(dense[r, j])).breakdown
            for t, term in enumerate(TERMS):
                value = breakdown.get(term)
                if value is not None:
                    out[r, p, t] = value
    return out


def combine(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The scorer's combination: weighted mean over the terms present."""
    present = ~np.isnan(x)
    w = np.where(present, weights, 0.0)
    return np.where(present, x, 0.0) @ weights / np.maximum(w.sum(axis=-1), 1e-9)


def logistic(x: np.ndarray, y: np.ndarray, l2: float, iterations: int = 50) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method (deterministic)."""
    a = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(a.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(a @ w)))
        grad = a.T @ (p - y) + l2 * np.r_[0.0, w[1:]]
        hess = (a * (p * (1 - p))[:, None]).T @ a + l2 * np.diag(np.r_[0.0, np.ones(len(w) - 1)])
        w -= np.linalg.solve(hess, grad)
    return w[1:]


def fit_weights(
    x: np.ndarray, g: np.ndarray, pools: np.ndarray, resumes: Sequence[RealResume], folds: int = 5
) -> np.ndarray:
    """Weights of the terms, fitted on the development half with cross-validation over
    resumes (folds by position) choosing the regularisation; returns the weights refitted
    on the whole development half, as non-negative shares summing to 1."""
    dev = [r for r, resume in enumerate(resumes) if resume.dev]
    labels = np.stack([g[r, pools[r]] for r in range(len(resumes))]) > 0

    def fit(rows: list[int], l2: float) -> np.ndarray:
        flat = np.nan_to_num(x[rows].reshape(-1, len(TERMS)))
        w = np.clip(logistic(flat, labels[rows].ravel().astype(float), l2), 0.0, None)
        return w / w.sum() if w.sum() > 0 else np.full(len(TERMS), 1 / len(TERMS))

    def ndcg(rows: list[int], w: np.ndarray) -> float:
        values = []
        for r in rows:
            full = np.full(g.shape[1], -np.inf)
            full[pools[r]] = combine(x[r], w)
            values.append(ndcg10(full, g[r]))
        return float(np.mean(values))

    best = None
    for l2 in (0.1, 1.0, 10.0, 100.0):
        cv = []
        for fold in range(folds):
            test = dev[fold::folds]
            train = [r for r in dev if r not in test]
            cv.append(ndcg(test, fit(train, l2)))
        print(f"  l2 {l2:g}: cross-validated nDCG@10 {np.mean(cv):.3f}")
        if best is None or np.mean(cv) > best[0]:
            best = (float(np.mean(cv)), l2)
    assert best is not None
    weights = fit(dev, best[1])
    print(
        f"  chosen l2 {best[1]:g}; weights "
        + ", ".join(f"{t} {w:.3f}" for t, w in zip(TERMS, weights, strict=True))
    )
    return weights


# --- skills ----------------------------------------------------------------------------


def _conll(path: Path) -> list[tuple[list[str], set[tuple[int, int]]]]:
    """Sentences of a SkillSpan CoNLL file with their gold spans (skill or knowledge)."""
    out: list[tuple[list[str], set[tuple[int, int]]]] = []
    words: list[str] = []
    tags: list[tuple[str, str]] = []

    def spans() -> set[tuple[int, int]]:
        found: set[tuple[int, int]] = set()
        for column in (0, 1):
            start = None
            for i, pair in enumerate([*tags, ("O", "O")]):
                tag = pair[column]
                if start is not None and not tag.startswith("I"):
                    found.add((start, i))
                    start = None
                if tag.startswith("B"):
                    start = i
        return found

    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or not line.strip():
            if words:
                out.append((words, spans()))
            words, tags = [], []
            continue
        words.append(parts[0])
        tags.append((parts[1], parts[2]))
    if words:
        out.append((words, spans()))
    return out


def _predicted_spans(words: list[str]) -> set[tuple[int, int]]:
    lexicon = get_lexicon()
    text, offsets = "", []
    for word in words:
        offsets.append(len(text))
        text += word + " "
    found = set()
    for mention in lexicon.extract(text):
        first = max(i for i, o in enumerate(offsets) if o <= mention.start)
        last = max(i for i, o in enumerate(offsets) if o < mention.end)
        found.add((first, last + 1))
    return found


def _prf(tp: float, predicted: int, gold: int) -> tuple[float, float, float]:
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def skills_main(args: argparse.Namespace) -> None:
    rows = []
    for name in ("house", "tech"):
        sentences = _conll(args.data / "skills" / f"skillspan_{name}_test.conll")
        strict = loose_p = loose_g = predicted = gold = 0
        for words, spans in sentences:
            found = _predicted_spans(words)
            predicted += len(found)
            gold += len(spans)
            strict += len(found & spans)
            loose_p += sum(any(a < d and c < b for c, d in spans) for a, b in found)
            loose_g += sum(any(a < d and c < b for a, b in found) for c, d in spans)
        sp, sr, sf = _prf(strict, predicted, gold)
        lp, lr = (loose_p / predicted if predicted else 0.0), (loose_g / gold if gold else 0.0)
        lf = 2 * lp * lr / (lp + lr) if lp + lr else 0.0
        rows.append(
            [
                f"SkillSpan {name} (spans)",
                f"{len(sentences)}",
                f"{sp:.3f} / {sr:.3f} / {sf:.3f}",
                f"{lp:.3f} / {lr:.3f} / {lf:.3f}",
            ]
        )
    lexicon = get_lexicon()
    for name in ("house", "tech"):
        with (args.data / "skills" / f"esco_{name}_test_annotations.csv").open(
            encoding="utf-8"
        ) as f:
            by_sentence: dict[str, set[str]] = defaultdict(set)
            for row in csv.DictReader(f):
                if row["label"] != "UNDERSPECIFIED":
                    by_sentence[row["sentence"]].add(row["label"].lower())
        tp = predicted = gold = 0
        for sentence, labels in by_sentence.items():
            found = {s.name.lower() for s in lexicon.find_skills(sentence)}
            predicted += len(found)
            gold += len(labels)
            tp += len(found & labels)
        p, r, f1 = _prf(tp, predicted, gold)
        rows.append(
            [
                f"ESCO links {name} (labels)",
                f"{len(by_sentence)}",
                f"{p:.3f} / {r:.3f} / {f1:.3f}",
                "-",
            ]
        )
    print("\nskill extraction vs human labels: precision / recall / F1")
    print(table(["set", "sentences", "strict", "loose (overlap)"], rows))


# --- titles ----------------------------------------------------------------------------


def titles_main(args: argparse.Namespace) -> None:
    occupations = get_occupations()
    by_uri = {o.uri_id: o for o in occupations.occupations}
    with (args.data / "skills" / "jobbert_titles_test.csv").open(encoding="utf-8") as f:
        rows = [(r["vacancyTitle"], r["conceptUri"].rsplit("/", 1)[-1]) for r in csv.DictReader(f)]
    exact = unit = linked = 0
    for title, uri in rows:
        link = occupations.link(title)
        if link is None:
            continue
        linked += 1
        exact += link.occupation.uri_id == uri
        gold = by_uri.get(uri)
        unit += gold is not None and link.occupation.code[:4] == gold.code[:4]
    n = len(rows)
    print("\njob title -> ESCO occupation (JobBERT test titles)")
    print(
        table(
            ["titles", "exact occupation", "same ISCO unit group", "linked at all"],
            [[f"{n}", f"{exact / n:.3f}", f"{unit / n:.3f}", f"{linked / n:.3f}"]],
        )
    )

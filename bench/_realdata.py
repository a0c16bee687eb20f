"""The real-data sets of the quality benchmark, read from a path given on the command line
(never at test or run time): livecareer PDF resumes, Adzuna job ads, the graded
occupation -> category mapping committed in `bench/data/`, and a cache under /tmp so a
second run does not re-read 480 PDFs or re-embed 3,000 texts.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.loaders import load_document

RELEVANCE = Path(__file__).resolve().parent / "data" / "livecareer_adzuna_relevance.csv"
CACHE = Path("/tmp/clearview-bench-cache")


@dataclass(frozen=True)
class RealResume:
    name: str  # file name without .pdf
    occupation: str  # the file name's prefix
    text: str
    dev: bool  # development half (even position within its occupation)


@dataclass(frozen=True)
class RealJob:
    id: str
    title: str
    description: str
    category: str
    location: str


def _cached(name: str, build: Callable[[], object]) -> object:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / name
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    value = build()
    path.write_text(json.dumps(value), encoding="utf-8")
    return value


def load_resumes(data: Path, limit_per_occupation: int | None = None) -> list[RealResume]:
    folder = data / "livecareer"
    if not folder.is_dir():
        sys.exit(f"{folder} not found; pass the shared data folder (e.g. ../shared/data)")
    files = sorted(folder.glob("*.pdf"))

    def extract() -> dict[str, str]:
        out = {}
        for path in files:
            # The product's own reader (the one an upload goes through).
            out[path.stem] = load_document(path.read_bytes(), path.name).text
        return out

    texts = _cached("livecareer_texts.json", extract)
    assert isinstance(texts, dict)
    resumes: list[RealResume] = []
    position: dict[str, int] = {}
    for path in files:
        occupation = path.stem.rsplit("_", 1)[0]
        pos = position.get(occupation, 0)
        position[occupation] = pos + 1
        if limit_per_occupation is not None and pos >= limit_per_occupation:
            continue
        resumes.append(RealResume(path.stem, occupation, texts[path.stem], dev=pos % 2 == 0))
    return resumes


def load_jobs(data: Path) -> list[RealJob]:
    path = data / "adzuna" / "adzuna_jobs_2499.csv"
    with path.open(encoding="utf-8") as f:
        return [
            RealJob(
                id=row["Id"],
                title=row["Title"].strip(),
                description=row["FullDescription"].strip(),
                category=row["Category"].replace(",", ""),
                location=row["LocationNormalized"],
            )
            for row in csv.DictReader(f)
        ]


def load_relevance() -> dict[tuple[str, str], float]:
    with RELEVANCE.open(encoding="utf-8") as f:
        return {(r["occupation"], r["category"]): float(r["grade"]) for r in csv.DictReader(f)}


def gains(
    resumes: Sequence[RealResume], jobs: Sequence[RealJob], relevance: dict[tuple[str, str], float]
) -> np.ndarray:
    """resumes x jobs matrix of graded relevance."""
    out = np.zeros((len(resumes), len(jobs)))
    for j, job in enumerate(jobs):
        for r, resume in enumerate(resumes):
            out[r, j] = relevance.get((resume.occupation, job.category), 0.0)
    return out


def cached_embeddings(
    label: str, texts: Sequence[str], embed: Callable[[Sequence[str]], np.ndarray]
) -> np.ndarray:
    digest = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:16]
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{label}-{digest}.npy"
    if path.exists():
        return np.asarray(np.load(path))
    vectors = np.asarray(embed(texts), dtype=np.float32)
    np.save(path, vectors)
    return vectors
